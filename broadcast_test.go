package netchan_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// broadcaster is a broadcast listener on loopback, in plaintext, and how
// to dial it; the test's cleanup ends both.
type broadcaster struct {
	ctx    context.Context
	send   chan<- int
	recv   <-chan int
	addr   string
	errs   *errorLog
	dialed []string // the local address of each client's connection, in dial order
	mu     sync.Mutex
}

func listenBroadcast(t *testing.T, opts ...netchan.Option) *broadcaster {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ln := testkit.Loopback(t)
	b := &broadcaster{ctx: ctx, addr: ln.Addr().String(), errs: &errorLog{}}
	opts = append([]netchan.Option{netchan.WithListener(ln), netchan.Insecure(), netchan.Broadcast(), netchan.OnError(b.errs.add)}, opts...)
	var err error
	b.send, b.recv, err = netchan.Listen[int](ctx, "", opts...)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	return b
}

// dial connects a client, which sends id and closes its send channel, and waits until the listener
// received it: from then on the client counts as connected.
func (b *broadcaster) dial(t *testing.T, id int, opts ...netchan.Option) (recv <-chan int, done <-chan error) {
	t.Helper()
	ended := make(chan error, 1)
	dialer := func(ctx context.Context, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err == nil {
			b.mu.Lock()
			b.dialed = append(b.dialed, c.LocalAddr().String())
			b.mu.Unlock()
		}
		return c, err
	}
	opts = append([]netchan.Option{netchan.Insecure(), netchan.WithDialer(dialer), netchan.OnError(func(error) {}),
		netchan.OnDone(func(err error) { ended <- err })}, opts...)
	send, recv, err := netchan.Dial[int](b.ctx, b.addr, opts...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	testkit.Send(t, send, id)
	close(send) // the hello is all it sends
	if got, ok := testkit.Recv(t, b.recv); !ok || got != id {
		t.Fatalf("the listener received %d, %v; want client %d's hello", got, ok, id)
	}
	return recv, ended
}

// receiveAll receives from recv until it closes and returns what came.
func receiveAll(t *testing.T, recv <-chan int) []int {
	var got []int
	for {
		v, ok := testkit.Recv(t, recv)
		if !ok {
			return got
		}
		got = append(got, v)
	}
}

func sequence(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Every client connected receives every value, in order, once, then the
// close; under each shipped codec, the stateful gob included, and with
// capacities small enough that the slowest client sets the pace.
func TestBroadcastFiveClientsReceiveTheSameSequence(t *testing.T) {
	const clients = 5
	for _, c := range []codec.Codec{codec.CBOR(), codec.Gob(), codec.JSON()} {
		for _, buffer := range []int{0, 3, netchan.DefaultBuffer} {
			t.Run(fmt.Sprintf("%s/buffer=%d", c.Name(), buffer), func(t *testing.T) {
				values := 2000
				if buffer == 0 {
					values = 200 // a round trip to every client per value
				}
				opts := []netchan.Option{netchan.WithCodec(c), netchan.WithBuffer(buffer)}
				b := listenBroadcast(t, opts...)
				var recvs []<-chan int
				for id := range clients {
					r, _ := b.dial(t, -1-id, opts...)
					recvs = append(recvs, r)
				}
				got := make([][]int, clients)
				var wg sync.WaitGroup
				for i, r := range recvs {
					wg.Go(func() { got[i] = receiveAll(t, r) })
				}
				for i := range values {
					testkit.Send(t, b.send, i)
				}
				close(b.send)
				wg.Wait()
				want := sequence(0, values)
				for i := range got {
					if !sameInts(got[i], want) {
						t.Errorf("client %d received %d values, not 0 to %d in order: %v", i, len(got[i]), values-1, head(got[i]))
					}
				}
				if errs := b.errs.all(); len(errs) > 0 {
					t.Errorf("errors reported: %v", errs)
				}
			})
		}
	}
}

func head(vs []int) []int { return vs[:min(len(vs), 10)] }

// A client that connects while values flow receives those sent after it
// connected, and none sent before.
func TestBroadcastClientJoiningMidStreamStartsWithTheNextValue(t *testing.T) {
	b := listenBroadcast(t)
	first, _ := b.dial(t, -1)
	for i := range 100 {
		testkit.Send(t, b.send, i)
	}
	second, _ := b.dial(t, -2) // it counts as connected once its hello arrived
	for i := 100; i < 200; i++ {
		testkit.Send(t, b.send, i)
	}
	close(b.send)
	if got := receiveAll(t, first); !sameInts(got, sequence(0, 200)) {
		t.Errorf("the first client received %d values: %v...", len(got), head(got))
	}
	if got := receiveAll(t, second); !sameInts(got, sequence(100, 200)) {
		t.Errorf("the client that joined after value 99 received %d values: %v...; want 100 to 199", len(got), head(got))
	}
}

// A client whose program takes nothing is cut once it has had no room,
// and returned no credit, for the stall timeout: the error names its
// address and counts what it did not take, its session ends, and the
// others receive everything.
func TestBroadcastStalledClientIsCutWhileOthersGoOn(t *testing.T) {
	const values, stalledCapacity = 300, 4
	b := listenBroadcast(t, netchan.WithStallTimeout(netchan.MinStallTimeout))
	// The healthy clients' capacity is larger than what is sent, so that
	// however slow the machine, they never run out of room.
	a, _ := b.dial(t, -1)
	stalled, stalledDone := b.dial(t, -2, netchan.WithBuffer(stalledCapacity))
	c, _ := b.dial(t, -3)
	start := time.Now()
	for i := range values {
		testkit.Send(t, b.send, i)
	}
	close(b.send)
	for i, r := range []<-chan int{a, c} {
		if got := receiveAll(t, r); !sameInts(got, sequence(0, values)) {
			t.Errorf("healthy client %d received %d values: %v...", i, len(got), head(got))
		}
	}
	if took := time.Since(start); took < netchan.MinStallTimeout {
		t.Errorf("the sends completed in %v, before the stalled client could be cut", took)
	}
	// Its program comes back: it finds what had reached it, then the end.
	took := receiveAll(t, stalled)
	if len(took) == 0 || len(took) > stalledCapacity || !sameInts(took, sequence(0, len(took))) {
		t.Errorf("the stalled client received %v", took)
	}
	select {
	case err := <-stalledDone:
		if err == nil {
			t.Error("the stalled client's session ended cleanly")
		}
	case <-time.After(testkit.Patience):
		t.Fatal("the stalled client's session did not end")
	}
	// The listener reports the cut from the client's goroutines, which may
	// still be ending.
	testkit.Eventually(t, "the stall to be reported", func() bool {
		for _, err := range b.errs.all() {
			if errors.Is(err, netchan.ErrStalled) {
				return true
			}
		}
		return false
	})
	var stalls []*netchan.StallError
	for _, err := range b.errs.all() {
		var s *netchan.StallError
		if errors.As(err, &s) {
			stalls = append(stalls, s)
			if !errors.Is(err, netchan.ErrStalled) {
				t.Errorf("%v is not ErrStalled", err)
			}
		} else {
			t.Errorf("unexpected error: %v", err)
		}
	}
	b.mu.Lock()
	stalledAddr := b.dialed[1]
	b.mu.Unlock()
	switch {
	case len(stalls) != 1:
		t.Fatalf("%d stall errors reported; want 1", len(stalls))
	case stalls[0].Addr != stalledAddr:
		t.Errorf("the stall error names %s; the stalled client is %s", stalls[0].Addr, stalledAddr)
	case stalls[0].Values < len(took) || stalls[0].Values > stalledCapacity:
		// What it holds is among them, and no more than its capacity.
		t.Errorf("the stall error counts %d values not taken; the client could hold %d and held %d", stalls[0].Values, stalledCapacity, len(took))
	case stalls[0].Timeout != netchan.MinStallTimeout:
		t.Errorf("the stall error says the timeout is %v", stalls[0].Timeout)
	}
}

// With no client connected a send waits for one; close(send) closes the
// receive channel of a client that connects afterwards.
func TestBroadcastWaitsForAClientAndClosesLateOnes(t *testing.T) {
	b := listenBroadcast(t)
	if !testkit.Blocks(b.send, 1) {
		t.Fatal("a send completed with no client connected")
	}
	r, _ := b.dial(t, -1)
	testkit.Send(t, b.send, 1)
	close(b.send)
	if got := receiveAll(t, r); !sameInts(got, []int{1}) {
		t.Fatalf("the client received %v; want [1]", got)
	}
	late, _ := b.dial(t, -2)
	if got := receiveAll(t, late); len(got) != 0 {
		t.Fatalf("a client that connected after the close received %v", got)
	}
}

// Broadcast and WithStallTimeout are refused where they do not apply.
func TestBroadcastOptionsRefusedElsewhere(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	addr := ln.Addr().String()
	for name, call := range map[string]func() error{
		"Dial with Broadcast": func() error {
			_, _, err := netchan.Dial[int](ctx, addr, netchan.Insecure(), netchan.Broadcast())
			return err
		},
		"Dial with WithStallTimeout": func() error {
			_, _, err := netchan.Dial[int](ctx, addr, netchan.Insecure(), netchan.WithStallTimeout(time.Second))
			return err
		},
		"Listen with WithStallTimeout alone": func() error {
			_, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithStallTimeout(time.Second))
			return err
		},
		"typed.Listen with Broadcast": func() error {
			_, err := typed.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Broadcast())
			return err
		},
		"typed.Dial with Broadcast": func() error {
			_, err := typed.Dial[int](ctx, addr, netchan.Insecure(), netchan.Broadcast())
			return err
		},
	} {
		if err := call(); !errors.Is(err, netchan.ErrBroadcastOnly) {
			t.Errorf("%s: %v; want ErrBroadcastOnly", name, err)
		}
	}
	_, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Broadcast(),
		netchan.WithStallTimeout(netchan.MinStallTimeout/2))
	if err == nil {
		t.Error("a stall timeout below the minimum was accepted")
	}
	_ = ln.Close()
}

// countingCodec is JSON, counting the values it encodes.
type countingCodec struct {
	codec.Codec
	marshals *atomic.Int64
}

func (c countingCodec) Marshal(v any) ([]byte, error) {
	c.marshals.Add(1)
	return c.Codec.Marshal(v)
}

// With a stateless codec, a broadcast listener encodes each value once,
// however many clients it goes to.
func TestBroadcastEncodesEachValueOnce(t *testing.T) {
	const clients, values = 8, 500
	var marshals atomic.Int64
	b := listenBroadcast(t, netchan.WithCodec(countingCodec{codec.JSON(), &marshals}))
	client := netchan.WithCodec(countingCodec{codec.JSON(), new(atomic.Int64)})
	var recvs []<-chan int
	for id := range clients {
		r, _ := b.dial(t, -1-id, client)
		recvs = append(recvs, r)
	}
	for i := range values {
		testkit.Send(t, b.send, i)
	}
	close(b.send)
	for i, r := range recvs {
		if got := receiveAll(t, r); !sameInts(got, sequence(0, values)) {
			t.Fatalf("client %d received %d values: %v...", i, len(got), head(got))
		}
	}
	if n := marshals.Load(); n != values {
		t.Fatalf("the listener encoded %d times for %d values to %d clients", n, values, clients)
	}
}

// A value too large for one client is reported undelivered to that client,
// naming it, and the others receive it; that client receives the rest.
func TestBroadcastValueTooLargeForOneClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	errs := &errorLog{}
	send, hellos, err := netchan.Listen[string](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Broadcast(), netchan.OnError(errs.add))
	if err != nil {
		t.Fatal(err)
	}
	var recvs []<-chan string
	for _, limit := range []int{64, netchan.DefaultMaxMessageSize} {
		s, r, err := netchan.Dial[string](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithMaxMessageSize(limit))
		if err != nil {
			t.Fatal(err)
		}
		testkit.Send(t, s, "hello")
		close(s)
		testkit.Recv(t, hellos)
		recvs = append(recvs, r)
	}
	large := strings.Repeat("x", 100)
	for _, v := range []string{"small", large, "end"} {
		testkit.Send(t, send, v)
	}
	close(send)
	for i, want := range [][]string{{"small", "end"}, {"small", large, "end"}} {
		var got []string
		for {
			v, ok := testkit.Recv(t, recvs[i])
			if !ok {
				break
			}
			got = append(got, v)
		}
		if !slices.Equal(got, want) {
			t.Errorf("client %d received %d values, want %d", i, len(got), len(want))
		}
	}
	var u *netchan.UndeliveredError[string]
	if all := errs.all(); len(all) != 1 || !errors.As(all[0], &u) || u.Value != large || !errors.Is(all[0], netchan.ErrTooLarge) {
		t.Fatalf("reported %v; want the large value undelivered, too large", all)
	}
	if !strings.Contains(u.Error(), "(peer 127.0.0.1:") {
		t.Errorf("%v does not name the client", u)
	}
}

// A client whose connection broke returns no credit: once its capacity is
// full it is cut after the stall timeout, like any stalled client, and its
// session is ended, not resumed, while the others receive everything.
func TestBroadcastClientThatCannotResumeIsCut(t *testing.T) {
	const values, capacity = 300, 4
	b := listenBroadcast(t, netchan.WithStallTimeout(netchan.MinStallTimeout))
	healthy, _ := b.dial(t, -1)
	proxy := testkit.NewProxy(t, b.addr)
	through := &broadcaster{ctx: b.ctx, addr: proxy.Addr(), recv: b.recv}
	cut, cutDone := through.dial(t, -2, netchan.WithBuffer(capacity))
	proxy.Refuse(true)
	proxy.Reset() // it redials at once, and again and again, refused
	for i := range values {
		testkit.Send(t, b.send, i)
	}
	close(b.send)
	if got := receiveAll(t, healthy); !sameInts(got, sequence(0, values)) {
		t.Errorf("the healthy client received %d values: %v...", len(got), head(got))
	}
	testkit.Eventually(t, "the stall to be reported", func() bool {
		for _, err := range b.errs.all() {
			if errors.Is(err, netchan.ErrStalled) {
				return true
			}
		}
		return false
	})
	proxy.Refuse(false) // its resume now reaches a listener that ended its session
	got := receiveAll(t, cut)
	if len(got) > capacity || !sameInts(got, sequence(0, len(got))) {
		t.Errorf("the cut client received %v", got)
	}
	select {
	case err := <-cutDone:
		if !errors.Is(err, netchan.ErrSessionLost) {
			t.Errorf("the cut client's session ended with %v; want ErrSessionLost", err)
		}
	case <-time.After(testkit.Patience):
		t.Fatal("the cut client's session did not end")
	}
}
