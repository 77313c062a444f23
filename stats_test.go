package netchan_test

import (
	"context"
	"encoding/json"
	"expvar"
	"fmt"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/stats"
	"github.com/netchan/netchan/typed"
)

// published numbers the names the tests publish, so that they differ
// when a test runs again in one process.
var published int

// OnConnect hands each end its connection, whose stats count what went
// each way, and a stats.Set published with expvar shows them, and keeps
// their figures once they ended.
func TestOnConnectStats(t *testing.T) {
	var set stats.Set
	published++
	name := fmt.Sprint("netchan-test-onconnect-", published)
	if err := set.Publish(name); err != nil {
		t.Fatal(err)
	}
	conns := make(chan *netchan.Conn, 2)
	onConnect := netchan.OnConnect(func(c *netchan.Conn) {
		set.Add(c)
		conns <- c
	})
	opts := []netchan.Option{netchan.Insecure(), onConnect}
	e := connect[int](t, opts, opts)
	const up, down = 50, 30
	for i := range up {
		testkit.Send(t, e.ds, i)
	}
	for range up {
		testkit.Recv(t, e.lr)
	}
	for i := range down {
		testkit.Send(t, e.ls, i)
	}
	for range down {
		testkit.Recv(t, e.dr)
	}
	a, _ := testkit.Recv(t, conns)
	b, _ := testkit.Recv(t, conns)
	dialer, listener := a, b
	if a.LocalAddr().String() == e.addr {
		dialer, listener = b, a
	}
	// A round trip is sampled when the peer acknowledges a batch, and it
	// acknowledges with the next frames it writes. A program may receive
	// a value before its end counts the frame as arrived, so only once
	// each end counted every byte the other sent does one more value each
	// way carry an acknowledgement of all of them.
	var d, l stats.Conn
	arrived := func() bool {
		d, l = dialer.Stats(), listener.Stats()
		return d.BytesSent == l.BytesReceived && l.BytesSent == d.BytesReceived
	}
	func() {
		defer func() {
			if t.Failed() {
				t.Logf("dialer %+v\nlistener %+v", d, l)
			}
		}()
		testkit.Eventually(t, "the bytes each end sent to arrive", arrived)
		testkit.Send(t, e.ds, up)
		testkit.Recv(t, e.lr)
		testkit.Send(t, e.ls, down)
		testkit.Recv(t, e.dr)
		testkit.Eventually(t, "the bytes each end sent to arrive, and a round trip measured", func() bool {
			return arrived() && d.RTT > 0 && l.RTT > 0
		})
	}()
	if d.ValuesSent != up+1 || d.ValuesReceived != down+1 {
		t.Errorf("dialer: %d values sent, %d received; want %d and %d", d.ValuesSent, d.ValuesReceived, up+1, down+1)
	}
	if l.ValuesSent != down+1 || l.ValuesReceived != up+1 {
		t.Errorf("listener: %d values sent, %d received; want %d and %d", l.ValuesSent, l.ValuesReceived, down+1, up+1)
	}
	const all = up + 1 + down + 1
	var shown stats.Totals
	if err := json.Unmarshal([]byte(expvar.Get(name).String()), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Conns != 2 || shown.Open != 2 || shown.ValuesSent != all || shown.ValuesReceived != all {
		t.Fatalf("expvar shows %+v; want two connections open, %d values sent and received in all", shown, all)
	}
	e.cancel()
	testkit.Recv(t, dialer.Done())
	testkit.Recv(t, listener.Done())
	if got := set.Totals(); got.Open != 0 || got.ValuesSent != all || got.InFlight != 0 {
		t.Fatalf("once ended: %+v; want none open, their %d values kept", got, all)
	}
}

// A typed listener's Stats add up its connections, those that ended too.
func TestTypedListenerStats(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, ln := typedListener(t, ctx)
	var clients []*typed.Conn[int]
	for i := range 2 {
		var hooked *netchan.Conn
		c, err := typed.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(),
			netchan.OnConnect(func(c *netchan.Conn) { hooked = c }))
		if err != nil {
			t.Fatal(err)
		}
		if hooked == nil || hooked.RemoteAddr().String() != ln.Addr().String() {
			t.Fatalf("typed.Dial's OnConnect got %v", hooked)
		}
		defer c.Close()
		clients = append(clients, c)
		a, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		for v := range i + 1 {
			if err := c.Send(ctx, v); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Recv(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if s := c.Stats(); s.ValuesSent != uint64(i+1) || hooked.Stats().ValuesSent != s.ValuesSent {
			t.Fatalf("client %d sent %d values, its OnConnect says %d; want %d", i, s.ValuesSent, hooked.Stats().ValuesSent, i+1)
		}
	}
	_ = clients[0].Close()
	testkit.Eventually(t, "the closed client's end to end at the listener", func() bool { return l.Stats().Open == 1 })
	if s := l.Stats(); s.Conns != 2 || s.ValuesReceived != 3 || s.ValuesSent != 0 {
		t.Fatalf("listener: %+v; want 2 connections, 3 values received in all", s)
	}
}

// InFlight lags what the peer's program took by no more than stats.Conn
// says: through typed, by nothing once the peer took every value; through
// the channel API, once values stop, by at most the peer's receive
// channel's buffer and a quarter of the capacity, each way.
func TestInFlightOnceTaken(t *testing.T) {
	const capacity, n = 64, 200
	t.Run("typed", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		l, ln := typedListener(t, ctx)
		c, err := typed.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(capacity))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		a, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		for i := range n {
			if err := c.Send(ctx, i); err != nil {
				t.Fatal(err)
			}
			if i%10 == 9 {
				for range 10 {
					if _, err := a.Recv(ctx); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		testkit.Eventually(t, "no value in flight once the peer took each", func() bool { return c.Stats().InFlight == 0 })
	})
	t.Run("channels", func(t *testing.T) {
		conns := make(chan *netchan.Conn, 2)
		opts := []netchan.Option{netchan.Insecure(), netchan.WithBuffer(capacity),
			netchan.OnConnect(func(c *netchan.Conn) { conns <- c })}
		e := connect[int](t, opts, opts)
		for i := range n {
			testkit.Send(t, e.ds, i)
			testkit.Send(t, e.ls, i)
			if i%10 == 9 {
				for range 10 {
					testkit.Recv(t, e.lr)
					testkit.Recv(t, e.dr)
				}
			}
		}
		a, _ := testkit.Recv(t, conns)
		b, _ := testkit.Recv(t, conns)
		dialer, listener := a, b
		if a.LocalAddr().String() == e.addr {
			dialer, listener = b, a
		}
		for _, end := range []struct {
			name string
			c    *netchan.Conn
			peer int // the peer's receive channel's buffer
		}{{"dialer", dialer, cap(e.lr)}, {"listener", listener, cap(e.dr)}} {
			bound := end.peer + capacity/4
			testkit.Eventually(t, fmt.Sprintf("the %s's in flight at most %d", end.name, bound), func() bool {
				return end.c.Stats().InFlight <= bound
			})
			if s := end.c.Stats(); s.ValuesSent != n {
				t.Errorf("the %s sent %d values, want %d", end.name, s.ValuesSent, n)
			}
		}
	})
}
