package sync

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// A reservation whose value's size is said counts that size of the byte
// budget instead of the largest: room for many more.
func TestSizedReservationsLeaveRoom(t *testing.T) {
	s := NewSender(1000, big/8) // 16 of the largest fit the budget
	if got := s.TryReserveN(100); got != 16 {
		t.Fatalf("reserved %d of the largest size, want 16", got)
	}
	s.Sized(16, 16*10)
	if got := s.TryReserveN(100); got != 15 {
		t.Fatalf("with 16 values of 10 bytes said, reserved %d more, want 15", got)
	}
	s.CommitN(16, func(int) int { return 10 })
	s.CancelN(15)
	if got := s.TryReserveN(100); got != 15 {
		t.Fatalf("with 160 bytes outstanding, reserved %d, want 15", got)
	}
}

// reservation is one the model of TestSizedKeepsTheBudget holds: its
// value's size, and whether the Sender was told it.
type reservation struct {
	size  uint64
	sized bool
}

// However reservations are sized, committed in order, cancelled anywhere
// and credited, a Sender never lets the values it may send exceed its byte
// budget, counting each reservation not sized as the largest value: and
// once none is left and every value was credited, the whole budget is free
// again.
func TestSizedKeepsTheBudget(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		maxValue := uint64(rapid.IntRange(1, 8).Draw(t, "largest, in eighths of the budget") * MinBudget / 8)
		window := rapid.IntRange(1, 40).Draw(t, "window")
		s := NewSender(window, int(maxValue))
		var pending []reservation // oldest first: the sized ones lead
		var out []uint64          // sizes of the values committed, not credited
		worst := func() (sum uint64) {
			for _, n := range out {
				sum += n
			}
			for _, r := range pending {
				if r.sized {
					sum += r.size
				} else {
					sum += maxValue
				}
			}
			return sum
		}
		for range rapid.IntRange(1, 60).Draw(t, "steps") {
			switch rapid.IntRange(0, 4).Draw(t, "op") {
			case 0:
				got := s.TryReserveN(rapid.IntRange(1, 8).Draw(t, "reserve"))
				for range got {
					pending = append(pending, reservation{size: rapid.Uint64Range(0, maxValue).Draw(t, "size")})
				}
				if s.budget > 0 && worst() > s.budget {
					t.Fatalf("reserved up to %d bytes, above the budget of %d", worst(), s.budget)
				}
			case 1: // say the sizes of the oldest not said yet
				first := slices.IndexFunc(pending, func(r reservation) bool { return !r.sized })
				if first < 0 {
					continue
				}
				n := rapid.IntRange(1, len(pending)-first).Draw(t, "size n")
				var sum uint64
				for i := first; i < first+n; i++ {
					pending[i].sized = true
					sum += pending[i].size
				}
				s.Sized(n, sum)
			case 2: // commit the oldest, with their sizes
				if len(pending) == 0 {
					continue
				}
				n := rapid.IntRange(1, len(pending)).Draw(t, "commit n")
				s.CommitN(n, func(i int) int { return int(pending[i].size) })
				for _, r := range pending[:n] {
					out = append(out, r.size)
				}
				pending = pending[n:]
			case 3: // cancel any, as a refused value or a Feed that goes does
				if len(pending) == 0 {
					continue
				}
				i := rapid.IntRange(0, len(pending)-1).Draw(t, "cancel at")
				pending = slices.Delete(pending, i, i+1)
				s.CancelN(1)
			case 4:
				out = grantSome(t, s, out)
			}
		}
		s.CancelN(len(pending))
		if len(out) > 0 {
			if err := s.Grant(uint64(len(out))); err != nil {
				t.Fatal(err)
			}
		}
		fresh := NewSender(window, int(maxValue))
		if got, want := s.TryReserveN(window), fresh.TryReserveN(window); got != want {
			t.Fatalf("with nothing left, reserved %d, as a new Sender does %d", got, want)
		}
	})
}

// grantSome credits some of the values out holds, the sizes of those
// committed and not credited, oldest first, and returns the others.
func grantSome(t *rapid.T, s *Sender, out []uint64) []uint64 {
	if len(out) == 0 {
		return out
	}
	n := rapid.IntRange(1, len(out)).Draw(t, "grant")
	if err := s.Grant(uint64(n)); err != nil {
		t.Fatal(err)
	}
	return out[n:]
}
