package codectest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/netchan/netchan/codec/codectest"
)

// TestKitCatches runs the kit on each broken codec in a process of its
// own, since a failing check fails the test that runs it, and requires
// that it fails, saying why.
func TestKitCatches(t *testing.T) {
	for name, bc := range brokenCases {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBroken$/"+bc.part, "-rapid.nofailfile")
			cmd.Env = append(os.Environ(), "CODECTEST_BROKEN="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the kit passed it:\n%s", out)
			}
			if !strings.Contains(string(out), bc.want) {
				t.Fatalf("the kit failed it without saying %q:\n%s", bc.want, out)
			}
			if !strings.Contains(string(out), "--- FAIL: TestBroken/") {
				t.Fatalf("no subtest failed:\n%s", out)
			}
		})
	}
}

// TestBroken runs the kit on the broken codec TestKitCatches names; run
// alone, it has nothing to check.
func TestBroken(t *testing.T) {
	name := os.Getenv("CODECTEST_BROKEN")
	if name == "" {
		t.Skip("run by TestKitCatches, in a process of its own")
	}
	bc := brokenCases[name]
	if bc.network {
		codectest.RunNetwork(t, bc.c, bc.opts...)
		return
	}
	codectest.Run(t, bc.c, bc.opts...)
}
