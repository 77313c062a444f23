package typed_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/typed"
)

// reports collects what reaches OnError.
type reports struct {
	mu   sync.Mutex
	errs []error
}

func (r *reports) add(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

// undelivered returns the values reported as undelivered, in order, and
// checks each wraps want.
func (r *reports) undelivered(t *testing.T, want error) []int {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var vs []int
	for _, err := range r.errs {
		var u *typed.UndeliveredError[int]
		if !errors.As(err, &u) {
			continue
		}
		if !errors.Is(u, want) {
			t.Errorf("undelivered %d: %v; want it to wrap %v", u.Value, u.Err, want)
		}
		vs = append(vs, u.Value)
	}
	return vs
}

// A peer that closes with values it had not received gives them back: its
// own receives fail with ErrClosed, and this end reports each through
// OnError, in order, as an *UndeliveredError wrapping the session's end.
// The value the peer's program took is not among them.
func TestUndeliveredReportedThroughOnError(t *testing.T) {
	var log reports
	l, d := pair[int](t, netchan.OnError(log.add))
	ctx := ctxFor(t)
	for v := range 3 {
		if err := d.Send(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := l.Recv(ctx); err != nil || v != 0 {
		t.Fatalf("Recv: %d, %v; want 0", v, err)
	}
	_ = l.Close()
	if _, err := l.Recv(ctx); !errors.Is(err, netchan.ErrClosed) {
		t.Fatalf("Recv after Close: %v; want ErrClosed, not the values given back", err)
	}
	<-d.Done()
	if got := log.undelivered(t, netchan.ErrPeerClosed); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("undelivered %v; want [1 2]", got)
	}
}

// A Close whose values the peer's session acknowledged reports none: they
// wait in the peer's inbox, and its program still receives them.
func TestCleanCloseReportsNothing(t *testing.T) {
	var log reports
	l, d := pair[int](t, netchan.OnError(log.add))
	ctx := ctxFor(t)
	for v := range 3 {
		if err := d.Send(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	_ = d.Close() // settles the values before it returns
	if got := log.undelivered(t, nil); len(got) != 0 {
		t.Fatalf("undelivered %v after a clean close; want none", got)
	}
	for want := range 3 {
		if v, err := l.Recv(ctx); err != nil || v != want {
			t.Fatalf("Recv: %d, %v; want %d", v, err, want)
		}
	}
	if _, err := l.Recv(ctx); !errors.Is(err, netchan.ErrPeerClosed) {
		t.Fatalf("Recv after the values: %v; want ErrPeerClosed", err)
	}
}
