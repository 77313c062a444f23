package codectest_test

import (
	"math"
	"testing"

	"github.com/netchan/netchan/codec/codectest"
)

// TestDiffNaNKeys: a map may hold several NaN keys, which no lookup
// finds; Diff pairs them by their values, whatever order a map yields
// them in.
func TestDiffNaNKeys(t *testing.T) {
	nan := math.NaN()
	sent := map[any]any{nan: 48, "a": 1}
	sent[nan] = 49 // a second NaN key
	for range 50 { // a map's order is random: each pairing gets its turn
		same := map[any]any{"a": 1}
		same[nan] = 49
		same[nan] = 48
		if d := codectest.Diff(sent, same); d != "" {
			t.Fatalf("the same entries: %s", d)
		}
		other := map[any]any{"a": 1}
		other[nan] = 48
		other[nan] = 50
		if d := codectest.Diff(sent, other); d == "" {
			t.Fatal("a NaN key's value changed, and Diff found no difference")
		}
	}
}
