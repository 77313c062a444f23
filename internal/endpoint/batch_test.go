package endpoint_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/testkit"
)

// hookCodec is CBOR, calling before on every value it encodes: a value
// before refuses makes the encoding fail.
type hookCodec struct {
	codec.Codec
	before func(v any) error
}

func (h hookCodec) Marshal(v any) ([]byte, error) {
	if err := h.before(v); err != nil {
		return nil, err
	}
	return h.Codec.Marshal(v)
}

// buffered returns a closed channel holding vs.
func buffered[T any](vs ...T) chan T {
	ch := make(chan T, len(vs))
	for _, v := range vs {
		ch <- v
	}
	close(ch)
	return ch
}

// recvAll receives from c until io.EOF.
func recvAll[T any](t *testing.T, c *endpoint.Conn[T]) []T {
	t.Helper()
	ctx := ctxFor(t)
	var got []T
	for {
		v, err := c.Recv(ctx)
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		got = append(got, v)
	}
}

// SendFrom takes the values waiting in a buffered channel several at once;
// one that cannot be sent still ends the group there: those before it are
// sent, it is returned, and those behind it stay in the channel for the
// next SendFrom, in order.
func TestSendFromGroupStopsAtAValueItCannotSend(t *testing.T) {
	const limit = 64
	refuse := errors.New("refused")
	for _, tc := range []struct {
		name string
		bad  string
		want error
	}{
		{"encoding fails", "bad", refuse},
		{"too large", strings.Repeat("x", 2*limit), netchan.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := hookCodec{codec.CBOR(), func(v any) error {
				if v == "bad" {
					return refuse
				}
				return nil
			}}
			l, d := pair[string](t, netchan.WithCodec(c), netchan.WithMaxMessageSize(limit))
			ch := buffered("a", "b", tc.bad, "d", "e")
			ctx := ctxFor(t)
			err := d.SendFrom(ctx, ch)
			var u *endpoint.UndeliveredError[string]
			if !errors.As(err, &u) || u.Value != tc.bad || !errors.Is(err, tc.want) {
				t.Fatalf("SendFrom: %v; want the value %.8q undelivered for %v", err, tc.bad, tc.want)
			}
			if len(ch) != 2 {
				t.Fatalf("%d values left in the channel, want the 2 behind the bad one", len(ch))
			}
			if err := d.SendFrom(ctx, ch); err != nil {
				t.Fatalf("the second SendFrom: %v", err)
			}
			if got := strings.Join(recvAll(t, l), ","); got != "a,b,d,e" {
				t.Fatalf("received %s, want a,b,d,e", got)
			}
		})
	}
}

// A group that cannot be queued, here because the sending side closed
// while it was encoded, is reported value by value, in order.
func TestSendFromGroupUndeliveredValueByValue(t *testing.T) {
	var d *endpoint.Conn[int]
	c := hookCodec{codec.CBOR(), func(v any) error {
		if v == 2 {
			_ = d.CloseSend()
		}
		return nil
	}}
	_, d = pair[int](t, netchan.WithCodec(c))
	ch := buffered(0, 1, 2, 3, 4)
	err := d.SendFrom(ctxFor(t), ch)
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("SendFrom: %v; want one error per value", err)
	}
	errs := j.Unwrap()
	if len(errs) != 5 {
		t.Fatalf("SendFrom: %d errors, want 5: %v", len(errs), err)
	}
	for i, e := range errs {
		var u *endpoint.UndeliveredError[int]
		if !errors.As(e, &u) || u.Value != i || !errors.Is(e, netchan.ErrSendClosed) {
			t.Fatalf("error %d: %v; want value %d undelivered for ErrSendClosed", i, e, i)
		}
	}
}

// A group goes out whole and in order among values sent one by one.
func TestSendFromGroupsKeepOrder(t *testing.T) {
	l, d := pair[int](t)
	const n = 1000
	ch := make(chan int, 64)
	go func() {
		for i := range n {
			ch <- i
		}
		close(ch)
	}()
	done := make(chan error, 1)
	go func() { done <- d.SendFrom(context.Background(), ch) }()
	got := recvAll(t, l)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("received %d values, want %d", len(got), n)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("value %d is %d", i, v)
		}
	}
}

// RecvTo hands the values waiting behind one over with it; one that gives
// up halfway keeps the rest, which the next receives get, in order.
func TestRecvToGroupThatGivesUpKeepsTheRest(t *testing.T) {
	l, d := pair[int](t, netchan.WithBuffer(8))
	ctx := ctxFor(t)
	for v := range 5 {
		if err := d.Send(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, "the values to arrive", func() bool { return endpoint.Waiting(l) == 5 })
	rctx, cancel := context.WithCancel(ctx)
	out := make(chan int)
	done := make(chan error, 1)
	go func() { done <- l.RecvTo(rctx, out, nil) }()
	for want := range 2 {
		if v, _ := testkit.Recv(t, out); v != want {
			t.Fatalf("RecvTo handed over %d, want %d", v, want)
		}
	}
	cancel()
	if err, _ := testkit.Recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("RecvTo: %v; want context.Canceled", err)
	}
	for want := 2; want < 5; want++ {
		if v, err := l.Recv(ctx); err != nil || v != want {
			t.Fatalf("Recv: %d, %v; want %d", v, err, want)
		}
	}
}

// A value too large for the peer, met in a group, breaks a stateful
// codec's send side as a failed Send does: its state counted the value
// sent, and the next would not decode.
func TestSendFromTooLargeBreaksAStatefulCodec(t *testing.T) {
	type record struct{ S string }
	_, d := pair[record](t, netchan.WithCodec(codec.Gob()), netchan.WithMaxMessageSize(256))
	ctx := ctxFor(t)
	ch := buffered(record{strings.Repeat("x", 1000)}, record{"a"})
	if err := d.SendFrom(ctx, ch); !errors.Is(err, netchan.ErrTooLarge) {
		t.Fatalf("SendFrom: %v; want ErrTooLarge", err)
	}
	if err := d.SendFrom(ctx, ch); !errors.Is(err, netchan.ErrSendBroken) {
		t.Fatalf("SendFrom after the codec's state went out of step: %v; want ErrSendBroken", err)
	}
}

// A group that must wait for room in an Outlet frees first what the
// program took: a value taken may be all its sender can send, and the
// wait, which holds the Outlet's lock, keeps the timer from freeing it.
func TestOutletFreesBeforeAGroupWaits(t *testing.T) {
	servers, dialers := clients[int](t, nil, []netchan.Option{netchan.WithBuffer(1)}, []netchan.Option{netchan.WithBuffer(8)})
	c, d := dialers[0], dialers[1]
	o := endpoint.NewOutlet[int](2)
	ctx := ctxFor(t)
	feed(t, o, servers[0])
	if err := c.Send(ctx, 1); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "c's value to go in", func() bool { return len(o.C()) == 1 })
	release := endpoint.HoldOutletLock(o) // the timer cannot free c's value
	defer release()                       // before the feeders stop, if the test fails
	if v, _ := testkit.Recv(t, o.C()); v != 1 {
		t.Fatalf("received %d, want 1", v)
	}
	for v := 100; v < 103; v++ {
		if err := d.Send(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, "d's values to arrive", func() bool { return endpoint.Waiting(servers[1]) == 3 })
	feedMore(t, o, servers[1])
	testkit.Eventually(t, "d's group to wait for the lock", func() bool { return endpoint.OutletLockWaiters(o) == 1 })
	release()
	testkit.Eventually(t, "the buffer to fill", func() bool { return len(o.C()) == 2 })
	if err := c.Send(ctx, 2); err != nil {
		t.Fatalf("c's Send after the program took its only value: %v", err)
	}
}
