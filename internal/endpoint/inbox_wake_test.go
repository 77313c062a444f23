package endpoint

import (
	"context"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// Two receives wait; the last value and the peer's close come before
// either wakes, so that the two wake-ups are one. The receive that takes
// the value must pass the close on: the other returns once its program
// does not receive again, rather than wait for ever.
func TestInboxLastValueTakerPassesTheCloseOn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	_, d := insidePair[int](t, ctx)
	s := d.c // a live session for the receives to wait with; nothing travels on it
	in := newTestInbox(t, 8)
	type result struct {
		v   int
		ok  bool
		err error
	}
	got := make(chan result, 2)
	for range 2 {
		go func() {
			a, _, ok, err := in.wait(ctx, s)
			got <- result{a.v, ok, err}
		}()
	}
	testkit.Eventually(t, "both receives to wait", func() bool {
		in.mu.Lock()
		defer in.mu.Unlock()
		return in.waiting == 2
	})
	// What Arrive and Close do, with one wake-up for both, as when the
	// reading goroutine handles them before a waiting receive runs.
	in.mu.Lock()
	in.q.push(arrival[int]{v: 7}, in.window)
	in.count.Store(int64(in.q.n))
	in.closed = true
	in.mu.Unlock()
	in.signal()
	values, closes := 0, 0
	for range 2 {
		r, _ := testkit.Recv(t, got)
		switch {
		case r.err != nil:
			t.Fatalf("a receive ended with %v; want the value or the close", r.err)
		case r.ok && r.v == 7:
			values++
		case !r.ok:
			closes++
		}
	}
	if values != 1 || closes != 1 {
		t.Fatalf("%d values and %d closes; want one of each", values, closes)
	}
}
