package msgpack_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines: TestNetwork and the example run
// netchan over loopback connections.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
