package codectest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// integrity sends a few Shapes one way and checks what arrives.
func (k *kit) integrity(t *rapid.T, a api) {
	vals := rapid.SliceOfN(Shapes(), 1, 6).Draw(t, "values")
	for i := range vals {
		vals[i].Seq = i
	}
	from, to := ends[Shape](t, a, k.c)
	delivered, lostVals := sendAll(t, k, a, from, vals)
	// A stateful codec's connection stops sending once it refused a value.
	broken := isStateful(k.c) && len(lostVals) > 0
	if !broken {
		// The end marker shows that nothing else arrived after the values.
		from.mustSend(t, Shape{Seq: -1})
	}
	for _, want := range delivered {
		got, ok := to.mustRecv(t)
		if !ok {
			t.Fatalf("closed before value %d", want.Seq)
		}
		if got.Seq != want.Seq {
			t.Fatalf("got value %d, want value %d: out of order, or a refused one arrived", got.Seq, want.Seq)
		}
		if d := diffOf(k.claims, want, got); d != "" {
			t.Fatalf("value %d changed on the way: %s", want.Seq, d)
		}
	}
	if !broken {
		if got, _ := to.mustRecv(t); got.Seq != -1 {
			t.Fatalf("got value %d after the last one, want the end marker", got.Seq)
		}
	}
	if a == chanAPI {
		checkLost(t, k, from, lostVals)
		if errs := to.errs.all(); len(errs) != 0 {
			t.Fatalf("the receiver reported %v", errs)
		}
	}
}

func isStateful(c codec.Codec) bool {
	_, ok := c.(codec.Stateful)
	return ok
}

// order sends many values through a small window while the peer receives.
func (k *kit) order(t *rapid.T, a api) {
	n := rapid.IntRange(1, 300).Draw(t, "n")
	window := rapid.IntRange(1, 16).Draw(t, "window")
	from, to := ends[int](t, a, k.c, netchan.WithBuffer(window))
	sent := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		defer cancel()
		for i := range n {
			if err := from.send(ctx, i); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	for i := range n {
		got, ok := to.mustRecv(t)
		if !ok || got != i {
			t.Fatalf("received %d (ok %v), want %d", got, ok, i)
		}
	}
	if err := <-sent; err != nil {
		t.Fatalf("send: %v", err)
	}
}

// capacity checks that exactly n sends complete while the peer's program
// receives nothing.
func (k *kit) capacity(t *rapid.T, a api) {
	n := rapid.IntRange(1, 64).Draw(t, "n")
	from, to := ends[int](t, a, k.c, netchan.WithBuffer(n))
	var done atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for i := 0; i <= n; i++ {
			if from.send(ctx, i) != nil {
				return
			}
			done.Add(1)
		}
	}()
	defer func() { cancel(); <-finished }()

	eventually(t, "n sends to complete", func() bool { return done.Load() >= int64(n) })
	time.Sleep(testkit.Settle) // a send beyond the capacity would complete by now
	if got := done.Load(); got != int64(n) {
		t.Fatalf("%d sends completed with nothing received, want %d", got, n)
	}
	for i := 0; i <= n; i++ {
		if v, ok := to.mustRecv(t); !ok || v != i {
			t.Fatalf("received %d (ok %v), want %d", v, ok, i)
		}
		if i == 0 {
			eventually(t, "send n+1 to complete after one receive", func() bool { return done.Load() == int64(n)+1 })
		}
	}
}

// close checks that closing delivers everything sent before, then the
// close. The channel API's listener merges its clients into one channel,
// which no client's close closes, so there the listener sends.
func (k *kit) close(t *rapid.T, a api) {
	vals := rapid.SliceOfN(rapid.Int(), 0, 20).Draw(t, "values")
	capacity := rapid.IntRange(0, 8).Draw(t, "capacity")
	var from, to *end[int]
	if a == chanAPI {
		listener, dialer := connect[int](t, a, k.c, netchan.WithBuffer(capacity))
		from, to = listener, dialer
	} else {
		from, to = ends[int](t, a, k.c, netchan.WithBuffer(capacity))
	}
	sent := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		defer cancel()
		for _, v := range vals {
			if err := from.send(ctx, v); err != nil {
				sent <- err
				return
			}
		}
		from.closeSend()
		sent <- nil
	}()
	for i, want := range vals {
		if got, ok := to.mustRecv(t); !ok || got != want {
			t.Fatalf("value %d: got %d (ok %v), want %d", i, got, ok, want)
		}
	}
	if err := <-sent; err != nil {
		t.Fatalf("send: %v", err)
	}
	for range 2 { // closed, and stays closed
		if v, ok := to.mustRecv(t); ok {
			t.Fatalf("got %d after the close, want the channel closed", v)
		}
	}
}

// anyOverNetwork sends values as `any`.
func (k *kit) anyOverNetwork(t *rapid.T, a api) {
	vals := rapid.SliceOfN(anyValues(), 1, 6).Draw(t, "values")
	from, to := ends[any](t, a, k.c)
	delivered, lostVals := sendAll(t, k, a, from, vals)
	for i, want := range delivered {
		got, ok := to.mustRecv(t)
		if !ok {
			t.Fatalf("closed before value %d", i)
		}
		if d := diffAny(k.claims, want, got); d != "" {
			t.Fatalf("value %d changed on the way: %s", i, d)
		}
	}
	if a == chanAPI {
		checkLost(t, k, from, lostVals)
	}
}

// refusalOverNetwork sends a value holding a function, which no codec
// carries; channels, which netchan carries as streams, would go.
func (k *kit) refusalOverNetwork(t *rapid.T, a api) {
	from, _ := ends[batch](t, a, k.c)
	v := batch{Seq: 1, Body: []job{{ID: 1, Run: func() {}}}}
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	err := from.send(ctx, v)
	if a == chanAPI {
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		eventually(t, "the value to be reported", func() bool { return len(from.errs.all()) > 0 })
		err = from.errs.all()[0]
		var u *netchan.UndeliveredError[batch]
		if !errors.As(err, &u) {
			t.Fatalf("OnError got %v, want an UndeliveredError", err)
		}
	}
	if !errors.Is(err, netchan.ErrEncode) {
		t.Fatalf("got %v, want an error wrapping netchan.ErrEncode", err)
	}
	requireRefused(t, "sending a value holding a function", err, "Run")
}
