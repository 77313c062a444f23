package endpoint_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/testkit"
)

// clients connects k dialers, each with its own options after the shared
// ones, to one listener and returns the listener's end of each connection
// and the dialers, in the same order. The test's cleanup closes them.
func clients[T any](t *testing.T, shared []netchan.Option, each ...[]netchan.Option) (servers, dialers []*endpoint.Conn[T]) {
	t.Helper()
	ctx := ctxFor(t)
	trust := testkit.NewTrust(t)
	ln := testkit.Loopback(t)
	l, err := endpoint.ListenWith[T](ctx, "", append([]netchan.Option{netchan.WithListener(ln), netchan.WithTLS(trust.Server)}, shared...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	for _, opts := range each {
		d, err := endpoint.DialWith[T](ctx, ln.Addr().String(), append(append([]netchan.Option{netchan.WithTLS(trust.Client)}, shared...), opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		c, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		servers, dialers = append(servers, c), append(dialers, d)
	}
	return servers, dialers
}

// pair returns both ends of one connection; the test's cleanup closes them.
func pair[T any](t *testing.T, opts ...netchan.Option) (listener, dialer *endpoint.Conn[T]) {
	t.Helper()
	servers, dialers := clients[T](t, opts, nil)
	return servers[0], dialers[0]
}

// feed runs RecvToOutlet for each of cs until the test ends, then closes o.
func feed[T any](t *testing.T, o *endpoint.Outlet[T], cs ...*endpoint.Conn[T]) {
	t.Cleanup(o.Close) // cleanups run last first: after every feeder stopped
	feedMore(t, o, cs...)
}

// feedMore runs RecvToOutlet for each of cs until the test ends, on an
// Outlet that feed is already feeding, and so closes.
func feedMore[T any](t *testing.T, o *endpoint.Outlet[T], cs ...*endpoint.Conn[T]) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	for _, c := range cs {
		go func() {
			defer func() { done <- struct{}{} }()
			_ = c.RecvToOutlet(ctx, o, nil)
		}()
	}
	t.Cleanup(func() {
		cancel()
		for range cs {
			<-done
		}
	})
}

// sendBlocks reports whether a Send of v on d waits for capacity for
// Settle: a slow machine can only make it wait longer.
func sendBlocks(t *testing.T, d *endpoint.Conn[int], v int) bool {
	t.Helper()
	short, cancel := context.WithTimeout(ctxFor(t), testkit.Settle)
	defer cancel()
	err := d.Send(short, v)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send %d: %v", v, err)
	}
	return err != nil
}

// outletCapacity is the capacity of fullOutlet's dialers.
const outletCapacity = 8

// fullOutlet connects two dialers of outletCapacity to an Outlet of 4 and
// has each send its capacity, dialer j the values 100*j+i; each must then
// wait to send more. With unlocked, every value goes in without the
// Outlet's lock.
func fullOutlet(t *testing.T, unlocked bool) (*endpoint.Outlet[int], []*endpoint.Conn[int]) {
	t.Helper()
	servers, dialers := clients[int](t, []netchan.Option{netchan.WithBuffer(outletCapacity)}, nil, nil)
	o := endpoint.NewOutlet[int](4)
	feed(t, o, servers...)
	if unlocked {
		t.Cleanup(endpoint.LockOutlet(o))
	}
	ctx := ctxFor(t)
	for j, d := range dialers {
		for i := range outletCapacity {
			if err := d.Send(ctx, 100*j+i); err != nil {
				t.Fatal(err)
			}
		}
	}
	testkit.Eventually(t, "the buffer to fill", func() bool { return len(o.C()) == cap(o.C()) })
	for j, d := range dialers {
		if !sendBlocks(t, d, 100*j+outletCapacity) {
			t.Fatalf("dialer %d sent %d values with none received; capacity is %d", j, outletCapacity+1, outletCapacity)
		}
	}
	return o, dialers
}

// Values in an Outlet's buffer are not received: each connection feeding
// it still has exactly its capacity outstanding while the program takes
// nothing, and a value the program takes frees its own sender alone.
func TestOutletKeepsEachCapacityExact(t *testing.T) {
	o, dialers := fullOutlet(t, false)
	ctx := ctxFor(t)
	v, _ := testkit.Recv(t, o.C())
	j := v / 100
	if err := dialers[j].Send(ctx, 100*j+outletCapacity); err != nil {
		t.Fatalf("dialer %d after the program took its value %d: %v", j, v, err)
	}
	if !sendBlocks(t, dialers[1-j], 100*(1-j)+outletCapacity) {
		t.Fatalf("dialer %d sent beyond its capacity when a value of dialer %d was taken", 1-j, j)
	}
}

// Values that go in without the Outlet's lock, as when many connections
// push at once, are freed only once the program took them, and then are.
func TestOutletUnlockedKeepsEachCapacityExact(t *testing.T) {
	o, dialers := fullOutlet(t, true)
	ctx := ctxFor(t)
	v, _ := testkit.Recv(t, o.C())
	j := v / 100
	if !sendBlocks(t, dialers[1-j], 100*(1-j)+outletCapacity) {
		t.Fatalf("dialer %d sent beyond its capacity when a value of dialer %d was taken", 1-j, j)
	}
	next := [2]int{}
	next[j] = v%100 + 1
	for range 2*outletCapacity - 1 {
		v, _ := testkit.Recv(t, o.C())
		if k := v / 100; v%100 != next[k] {
			t.Fatalf("received %d from dialer %d, want %d", v%100, k, next[k])
		}
		next[v/100]++
	}
	for j, d := range dialers {
		if err := d.Send(ctx, 100*j+outletCapacity); err != nil {
			t.Fatalf("dialer %d after the program took all its values: %v", j, err)
		}
	}
}

// A connection whose values went in without the Outlet's lock is freed
// once the program took them, even while another connection's values keep
// the channel from ever emptying.
func TestOutletFreesUnlockedValuesBehindAStream(t *testing.T) {
	servers, dialers := clients[int](t, nil, []netchan.Option{netchan.WithBuffer(2)}, []netchan.Option{netchan.WithBuffer(64)})
	o := endpoint.NewOutlet[int](4)
	feed(t, o, servers...)
	release := endpoint.LockOutlet(o)
	ctx := ctxFor(t)
	quiet, waiting := dialers[0], dialers[1]
	for i := range 2 {
		if err := quiet.Send(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, "the quiet dialer's values in the buffer", func() bool { return len(o.C()) == 2 })
	release()
	stream, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		for i := 1000; waiting.Send(stream, i) == nil; i++ {
		}
	}()
	sent := make(chan error, 1)
	go func() { sent <- quiet.Send(ctx, 2) }()
	// The program takes a value only when the buffer is full, so the
	// channel never empties while the stream lasts.
	for range 1000 {
		testkit.Eventually(t, "a full buffer", func() bool { return len(o.C()) == cap(o.C()) })
		select {
		case err := <-sent:
			if err != nil {
				t.Fatal(err)
			}
			return
		default:
		}
		if v, _ := testkit.Recv(t, o.C()); v == 2 {
			// Sent, so its Send returns, if it has not yet.
			if err, _ := testkit.Recv(t, sent); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("the quiet dialer still waits for capacity after the program took its values and 1,000 more")
}

// More connections than may wait for the Outlet's lock push at once: every
// value arrives, each connection's in order, and every sender finishes.
// Most runs put some values in without the lock, not all; the tests with
// LockOutlet take that path every time.
func TestOutletManyConnections(t *testing.T) {
	const conns, each = 80, 40
	perDialer := make([][]netchan.Option, conns)
	servers, dialers := clients[int](t, []netchan.Option{netchan.WithBuffer(4)}, perDialer...)
	o := endpoint.NewOutlet[int](8)
	feed(t, o, servers...)
	ctx := ctxFor(t)
	sent := make(chan error, conns)
	for j, d := range dialers {
		go func() {
			for i := range each {
				if err := d.Send(ctx, 1000*j+i); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
	}
	next := make([]int, conns)
	for range conns * each {
		v, _ := testkit.Recv(t, o.C())
		if j := v / 1000; v%1000 != next[j] {
			t.Fatalf("connection %d: received %d, want %d", j, v%1000, next[j])
		}
		next[v/1000]++
	}
	for range conns {
		if err, _ := testkit.Recv(t, sent); err != nil {
			t.Fatal(err)
		}
	}
}

// A connection whose capacity fits in the buffer has all its values there
// while its sender waits, and none comes to show that the program took
// them: the Outlet must find out by itself. So must it when the sender
// keeps part of its capacity for values in its own buffered channel.
func TestOutletFreesACapacitySmallerThanItsBuffer(t *testing.T) {
	for _, tc := range []struct {
		capacity, sendBuffer int
		full                 int  // values in the Outlet when the sender must wait
		unlocked             bool // values go in without the Outlet's lock
	}{{1, 0, 1, false}, {10, 2, 8, false}, {1, 0, 1, true}, {10, 2, 8, true}} {
		servers, dialers := clients[int](t, nil, []netchan.Option{netchan.WithBuffer(tc.capacity)})
		o := endpoint.NewOutlet[int](8)
		feed(t, o, servers...)
		if tc.unlocked {
			t.Cleanup(endpoint.LockOutlet(o))
		}
		const rounds = 5
		ch := make(chan int, tc.sendBuffer)
		ctx := ctxFor(t)
		go func() { _ = dialers[0].SendFrom(ctx, ch) }()
		go func() {
			defer close(ch)
			for i := range rounds * tc.full {
				select {
				case ch <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
		// Each round, the program takes the values only once the sender
		// waits: no value comes after them.
		for r := range rounds {
			testkit.Eventually(t, "the buffer to hold all the sender can send", func() bool { return len(o.C()) == tc.full })
			for i := range tc.full {
				if v, _ := testkit.Recv(t, o.C()); v != r*tc.full+i {
					t.Fatalf("capacity %d: received %d, want %d", tc.capacity, v, r*tc.full+i)
				}
			}
		}
	}
}

// In rendezvous mode a Send returns once the program took the value, not
// once it is in the buffer; whichever way the value went in.
func TestOutletRendezvous(t *testing.T) {
	t.Run("locked", func(t *testing.T) { testOutletRendezvous(t, false) })
	t.Run("unlocked", func(t *testing.T) { testOutletRendezvous(t, true) })
}

func testOutletRendezvous(t *testing.T, unlocked bool) {
	servers, dialers := clients[int](t, nil, []netchan.Option{netchan.Sync()})
	o := endpoint.NewOutlet[int](8)
	feed(t, o, servers...)
	if unlocked {
		t.Cleanup(endpoint.LockOutlet(o))
	}
	ctx := ctxFor(t)
	for i := range 3 {
		sent := make(chan error, 1)
		go func() { sent <- dialers[0].Send(ctx, i) }()
		testkit.Eventually(t, "the value to reach the buffer", func() bool { return len(o.C()) == 1 })
		select {
		case err := <-sent:
			t.Fatalf("Send %d returned (%v) with the value still in the buffer", i, err)
		case <-time.After(testkit.Settle):
		}
		if v, _ := testkit.Recv(t, o.C()); v != i {
			t.Fatalf("received %d, want %d", v, i)
		}
		if err, _ := testkit.Recv(t, sent); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
}

// A RecvToOutlet that gives up while waiting for room keeps its value for
// the next receive.
func TestRecvToOutletThatGivesUpKeepsItsValue(t *testing.T) {
	l, d := pair[int](t, netchan.WithBuffer(8))
	ctx := ctxFor(t)
	for i := range 3 {
		if err := d.Send(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	o := endpoint.NewOutlet[int](1)
	defer o.Close()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.RecvToOutlet(rctx, o, nil) }()
	testkit.Eventually(t, "the buffer to fill", func() bool { return len(o.C()) == 1 })
	cancel()
	if err, _ := testkit.Recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("RecvToOutlet: %v; want context.Canceled", err)
	}
	if v, _ := testkit.Recv(t, o.C()); v != 0 {
		t.Fatalf("from the buffer: %d, want 0", v)
	}
	for want := 1; want < 3; want++ {
		if v, err := l.Recv(ctx); err != nil || v != want {
			t.Fatalf("Recv: %d, %v; want %d", v, err, want)
		}
	}
}

// A buffered channel's values count in SendFrom's capacity, up to a
// quarter of it, and those in it when ctx ends are still sent.
func TestSendFromCountsTheChannelBuffer(t *testing.T) {
	const capacity = 8
	l, d := pair[int](t, netchan.WithBuffer(capacity))
	ch := make(chan int, capacity/4)
	sctx, cancel := context.WithCancel(ctxFor(t))
	done := make(chan error, 1)
	go func() { done <- d.SendFrom(sctx, ch) }()
	for i := range capacity {
		ch <- i // the peer receives nothing meanwhile
	}
	select {
	case ch <- capacity:
		t.Fatalf("%d sends completed with the peer receiving nothing; capacity is %d", capacity+1, capacity)
	case <-time.After(testkit.Settle):
	}
	cancel()
	if err, _ := testkit.Recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("SendFrom: %v; want context.Canceled", err)
	}
	ctx := ctxFor(t)
	for want := range capacity {
		if v, err := l.Recv(ctx); err != nil || v != want {
			t.Fatalf("Recv: %d, %v; want %d", v, err, want)
		}
	}
}
