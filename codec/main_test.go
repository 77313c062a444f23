package codec_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines: TestKitNetwork runs netchan over
// loopback connections.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
