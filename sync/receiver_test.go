package sync

import (
	"errors"
	"testing"

	"pgregory.net/rapid"
)

func TestReceiverSequence(t *testing.T) {
	r := NewReceiver(4, 0)
	if err := r.OnData(0, 0); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []uint64{0, 2, 5, ^uint64(0)} {
		if err := r.OnData(seq, 0); !errors.Is(err, ErrSequence) {
			t.Errorf("OnData(%d) when 1 is due: %v, want ErrSequence", seq, err)
		}
		if r.Arrived() != 1 {
			t.Fatalf("rejected value counted: arrived %d", r.Arrived())
		}
	}
	if err := r.OnData(1, 0); err != nil {
		t.Errorf("OnData(1): %v", err)
	}
}

func TestReceiverOverrun(t *testing.T) {
	for _, capacity := range []int{0, 1, 3} {
		window := uint64(max(capacity, 1))
		r := NewReceiver(capacity, 0)
		for seq := range window {
			if err := r.OnData(seq, 0); err != nil {
				t.Fatalf("capacity %d: OnData(%d): %v", capacity, seq, err)
			}
		}
		if err := r.OnData(window, 0); !errors.Is(err, ErrOverrun) {
			t.Errorf("capacity %d: value beyond the window: %v, want ErrOverrun", capacity, err)
		}
		if r.Arrived() != window {
			t.Errorf("capacity %d: rejected value counted", capacity)
		}
		r.Take()
		if err := r.OnData(window, 0); err != nil {
			t.Errorf("capacity %d: value after a take: %v", capacity, err)
		}
		if err := r.OnData(window+1, 0); !errors.Is(err, ErrOverrun) {
			t.Errorf("capacity %d: second value after one take: %v, want ErrOverrun", capacity, err)
		}
	}
}

func TestReceiverClose(t *testing.T) {
	r := NewReceiver(2, 0)
	for seq := range uint64(2) {
		if err := r.OnData(seq, 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []uint64{0, 1, 3, ^uint64(0)} {
		if err := r.OnClose(n); !errors.Is(err, ErrCloseCount) {
			t.Errorf("OnClose(%d) after 2 values: %v, want ErrCloseCount", n, err)
		}
	}
	if err := r.OnClose(2); err != nil {
		t.Fatalf("OnClose(2) after 2 values: %v", err)
	}
	if err := r.OnClose(2); !errors.Is(err, ErrAfterClose) {
		t.Errorf("second close: %v, want ErrAfterClose", err)
	}
	r.Take()
	if err := r.OnData(2, 0); !errors.Is(err, ErrAfterClose) {
		t.Errorf("value after close: %v, want ErrAfterClose", err)
	}
	if r.Arrived() != 2 {
		t.Errorf("arrived %d after close, want 2", r.Arrived())
	}
}

func TestReceiverCloseEmpty(t *testing.T) {
	r := NewReceiver(0, 0)
	if err := r.OnClose(0); err != nil {
		t.Errorf("close before any value: %v", err)
	}
}

// TakeN says when the program has taken every value that arrived, wherever
// they waited, which is when its credits should go out at once.
func TestReceiverTakeNCaughtUp(t *testing.T) {
	r := NewReceiver(16, 0)
	for seq := range uint64(5) {
		if err := r.OnData(seq, 1); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range []struct {
		n    int
		want bool
	}{{1, false}, {2, false}, {2, true}} {
		if got := r.TakeN(tc.n); got != tc.want {
			t.Fatalf("take %d, TakeN(%d) = %v, want %v", i, tc.n, got, tc.want)
		}
	}
	if err := r.OnData(5, 1); err != nil {
		t.Fatal(err)
	}
	if r.Take() != true {
		t.Fatal("Take of the one value arrived since: not caught up")
	}
}

// OnValues must accept and refuse exactly what as many OnData calls would,
// and leave the receiver as they would, whatever the window, the budget,
// the takes between frames and the sizes.
func TestOnValuesIsOnDataInTurn(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		capacity := rapid.IntRange(0, 8).Draw(t, "capacity")
		maxValue := rapid.SampledFrom([]int{0, 4, 1 << 20}).Draw(t, "maxValue")
		batch, single := NewReceiver(capacity, maxValue), NewReceiver(capacity, maxValue)
		for range rapid.IntRange(1, 20).Draw(t, "frames") {
			if takes := rapid.IntRange(0, int(single.Arrived()-single.Taken())).Draw(t, "takes"); takes > 0 {
				batch.TakeN(takes)
				single.TakeN(takes)
			}
			seq := single.Arrived()
			if rapid.Bool().Draw(t, "wrong seq") {
				seq += uint64(rapid.IntRange(1, 3).Draw(t, "off"))
			}
			sizes := rapid.SliceOfN(rapid.IntRange(0, 2*max(maxValue, 1)), 1, 10).Draw(t, "sizes")
			var want error
			for i, sz := range sizes {
				if want = single.OnData(seq+uint64(i), sz); want != nil {
					break
				}
			}
			got := batch.OnValues(seq, len(sizes), func(i int) int { return sizes[i] })
			if (got == nil) != (want == nil) || (want != nil && got.Error() != want.Error()) {
				t.Fatalf("OnValues(%d, %v) = %v; OnData in turn: %v", seq, sizes, got, want)
			}
			if batch.Arrived() != single.Arrived() {
				t.Fatalf("arrived %d after OnValues, %d after OnData in turn", batch.Arrived(), single.Arrived())
			}
			if want != nil {
				return // the connection would end here
			}
		}
	})
}
