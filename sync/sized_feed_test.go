package sync

import (
	"testing"

	"pgregory.net/rapid"
)

// A broadcast Feed's use of a Sender, as internal/endpoint's Broadcaster
// and SendFeed make it: Run reserves spare room only once the Feed holds
// none, saying first the sizes of the values it gave since it last did,
// some of which SendFeed may have committed already; SendFeed commits the
// oldest values given, in order, refusing those too large for the peer. The
// values that may be sent never exceed the byte budget.
func TestSizedAsAFeedKeepsTheBudget(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		maxValue := uint64(rapid.IntRange(1, 8).Draw(t, "largest, in eighths of the budget") * MinBudget / 8)
		window := rapid.IntRange(2, 64).Draw(t, "window")
		spare := rapid.IntRange(1, window).Draw(t, "spare")
		s := NewSender(window, int(maxValue))
		if s.budget == 0 {
			return
		}
		held := 0          // reserved, no value yet
		var given []uint64 // values given, not committed, oldest first
		var out []uint64   // committed, not credited
		unsized, unsizedBytes := 0, uint64(0)
		worst := func() (sum uint64) {
			for _, n := range out {
				sum += n
			}
			for _, n := range given {
				if n <= maxValue { // a larger one is refused
					sum += n
				}
			}
			return sum + uint64(held)*maxValue
		}
		for range rapid.IntRange(1, 80).Draw(t, "steps") {
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0: // reserveLocked, called only once the Feed holds none
				if held > 0 {
					continue
				}
				if unsized > 0 {
					s.Sized(unsized, unsizedBytes)
					unsized, unsizedBytes = 0, 0
				}
				held += s.TryReserveN(spare)
				if w := worst(); w > s.budget {
					t.Fatalf("values that may be sent: %d bytes, above the budget of %d", w, s.budget)
				}
			case 1: // deliver
				if held == 0 {
					continue
				}
				held--
				size := rapid.Uint64Range(0, maxValue+maxValue/4).Draw(t, "size")
				given = append(given, size)
				unsized++
				unsizedBytes += size
			case 2: // SendFeed takes the oldest and commits them
				if len(given) == 0 {
					continue
				}
				n := rapid.IntRange(1, len(given)).Draw(t, "commit n")
				var group []uint64
				for _, size := range given[:n] {
					if size > maxValue {
						s.Cancel() // refused: too large for the peer
					} else {
						group = append(group, size)
					}
				}
				if len(group) > 0 {
					s.CommitN(len(group), func(i int) int { return int(group[i]) })
				}
				out = append(out, group...)
				given = given[n:]
			case 3:
				out = grantSome(t, s, out)
			}
		}
	})
}
