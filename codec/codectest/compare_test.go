package codectest_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/codec/codectest"
)

// TestDiffNaNKeys: a map may hold several NaN keys, which no lookup
// finds; Diff pairs them by their values, whatever order a map yields
// them in, and names the value that changed.
func TestDiffNaNKeys(t *testing.T) {
	nan := math.NaN()
	sent := map[any]any{nan: 48, "a": 1}
	sent[nan] = 49  // a second NaN key
	for range 100 { // a map's order is random: each pairing gets its turn
		same := map[any]any{"a": 1}
		same[nan] = 49
		same[nan] = 48
		if d := codectest.Diff(sent, same); d != "" {
			t.Fatalf("the same entries: %s", d)
		}
		other := map[any]any{"a": 1}
		other[nan] = 48
		other[nan] = 50
		if d := codectest.Diff(sent, other); !strings.Contains(d, "sent 49, got 50") {
			t.Fatalf("a NaN key's value changed from 49 to 50: Diff says %q", d)
		}
	}
}

// TestDiffNaNKeysOneWayClaim: a claim that lets an empty slice arrive as
// nil, but not the reverse, must not make Diff pair the sent empty slice
// with the received nil and leave the sent nil no match.
func TestDiffNaNKeysOneWayClaim(t *testing.T) {
	nan := math.NaN()
	sent := map[float64][]int{nan: {}}
	sent[nan] = nil
	for range 100 {
		got := map[float64][]int{nan: nil}
		got[nan] = []int{}
		if d := codectest.Diff(sent, got, codectest.EmptySliceAsNil()); d != "" {
			t.Fatalf("the same entries: %s", d)
		}
	}
}

// TestDiffKeysEqualNotIdentical: two keys that are equal but not == (one
// instant in two zones) are each compared with what arrived under them; a
// received entry found by == is not paired a second time.
func TestDiffKeysEqualNotIdentical(t *testing.T) {
	at := time.Unix(1, 0)
	sent := map[time.Time]int{at.UTC(): 1, at.In(time.FixedZone("Z", 0)): 1}
	got := map[time.Time]int{at.UTC(): 1, at.In(time.FixedZone("Y", 0)): 3}
	for range 100 {
		if d := codectest.Diff(sent, got); !strings.Contains(d, "sent 1, got 3") {
			t.Fatalf("a value changed from 1 to 3: Diff says %q", d)
		}
	}
}
