package main

import (
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/netchan/netchan/internal/testkit"
)

func TestMain(m *testing.M) {
	testkit.RunMainIfChild(main)
	goleak.VerifyTestMain(m)
}

// The client with a certificate gets through; the one without is refused.
func TestMutualTLS(t *testing.T) {
	p := testkit.StartMain(t, nil)
	out, err := p.Wait(t)
	want := []string{
		"the server got: hello over mutual TLS",
		"a client without a certificate is refused: true",
	}
	if err != nil || !slices.Equal(out, want) {
		t.Fatalf("printed %q and exited with %v; want %q and success", out, err, want)
	}
}
