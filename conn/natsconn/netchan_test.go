package natsconn_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn/natsconn"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// Record is a value of several fields, as every codec carries it.
type Record struct {
	Seq  int
	Name string
	Tags []string
}

func record(i int) Record {
	return Record{Seq: i, Name: strings.Repeat("n", i%50), Tags: []string{fmt.Sprint(i), "x"}}
}

func sameRecord(a, b Record) bool {
	return a.Seq == b.Seq && a.Name == b.Name && strings.Join(a.Tags, ",") == strings.Join(b.Tags, ",")
}

// Values go both ways at once over NATS, in order, with every codec and
// trust mode, and once all is closed natsconn leaves no subscription.
func TestRoundTripEveryCodec(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	for _, tr := range trusts(t) {
		for _, c := range []codec.Codec{codec.CBOR(), codec.Gob(), codec.JSON()} {
			t.Run(tr.name+"/"+c.Name(), func(t *testing.T) {
				p := dialPair[Record](t, nc, nc, "roundtrip",
					append(tr.listen, netchan.WithCodec(c)),
					append(tr.dialer, netchan.WithCodec(c)))
				const n = 500
				go func() {
					for i := range n {
						p.ds <- record(i)
					}
				}()
				go func() {
					for i := range n {
						p.ls <- record(1000 + i)
					}
				}()
				for i := range n {
					if got, _ := testkit.Recv(t, p.lr); !sameRecord(got, record(i)) {
						t.Fatalf("listener got %+v, want %+v", got, record(i))
					}
					if got, _ := testkit.Recv(t, p.dr); !sameRecord(got, record(1000+i)) {
						t.Fatalf("dialer got %+v, want %+v", got, record(1000+i))
					}
				}
				if errs := append(p.lerr.all(), p.derr.all()...); len(errs) > 0 {
					t.Fatalf("errors reported: %v", errs)
				}
			})
		}
	}
	noSubscriptions(t, nc)
}

// WithBuffer(n) lets exactly n sends complete while the remote program
// receives nothing, in each direction, over NATS as over TCP.
func TestCapacityIsExact(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	tr := trusts(t)[1]
	for _, n := range []int{1, 17, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := dialPair[int](t, nc, nc, "capacity",
				append(tr.listen, netchan.WithBuffer(n)), append(tr.dialer, netchan.WithBuffer(n)))
			sendsComplete(t, "dialer", p.ds, p.lr, n)
			sendsComplete(t, "listener", p.ls, p.dr, n)
		})
	}
}

// sendsComplete checks that exactly want sends on send complete while
// nothing is received from recv, its peer, and that one receive lets one
// more complete.
func sendsComplete(t *testing.T, who string, send chan<- int, recv <-chan int, want int) {
	t.Helper()
	var done atomic.Int64
	go func() {
		for i := range want + 1 {
			send <- i
			done.Add(1)
		}
	}()
	testkit.Eventually(t, fmt.Sprintf("%d sends of the %s to complete", want, who), func() bool { return done.Load() >= int64(want) })
	// Had the capacity been larger, the next send would have completed as
	// fast as those before it.
	time.Sleep(testkit.Settle)
	if n := done.Load(); n != int64(want) {
		t.Fatalf("%d sends of the %s completed while the remote received nothing; capacity is %d", n, who, want)
	}
	if v, _ := testkit.Recv(t, recv); v != 0 {
		t.Fatalf("received %d from the %s, want 0", v, who)
	}
	testkit.Eventually(t, "the blocked send to complete after one receive", func() bool { return done.Load() == int64(want)+1 })
	for i := 1; i <= want; i++ {
		if v, _ := testkit.Recv(t, recv); v != i {
			t.Fatalf("received %d from the %s, want %d", v, who, i)
		}
	}
}

// With Sync(), typed's Send returns only once the remote Recv took the
// value: a rendezvous across NATS.
func TestSyncRendezvous(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	tr := trusts(t)[0]
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	nl, err := natsconn.Listen(nc, "rendezvous")
	if err != nil {
		t.Fatal(err)
	}
	l, err := typed.Listen[string](ctx, "rendezvous", append(tr.listen, netchan.WithListener(nl), netchan.Sync())...)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d, err := typed.Dial[string](ctx, "rendezvous", append(tr.dialer, netchan.WithDialer(natsconn.Dialer(nc)), netchan.Sync())...)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := range 3 {
		sent := make(chan error, 1)
		go func() { sent <- d.Send(ctx, fmt.Sprint("meet ", i)) }()
		// Had Send not waited for the receiver, it would have returned
		// within a round trip.
		select {
		case err := <-sent:
			t.Fatalf("Send returned (%v) before the listener received", err)
		case <-time.After(testkit.Settle):
		}
		if v, err := a.Recv(ctx); err != nil || v != fmt.Sprint("meet ", i) {
			t.Fatalf("Recv: %q, %v", v, err)
		}
		if err := <-sent; err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
}

// close(send) on either end closes the other's receive channel after every
// value arrived, and OnDone reports a clean end on both.
func TestCloseDeliversEverything(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	tr := trusts(t)[1]
	ldone, ddone := make(chan error, 1), make(chan error, 1)
	p := dialPair[int](t, nc, nc, "close",
		append(tr.listen, netchan.OnDone(func(err error) { ldone <- err })),
		append(tr.dialer, netchan.OnDone(func(err error) { ddone <- err })))
	const n = 3000
	go func() {
		for i := range n {
			p.ls <- i
		}
		close(p.ls)
	}()
	go func() {
		for i := range n {
			p.ds <- -i
		}
		close(p.ds)
	}()
	for i := range n {
		if v, _ := testkit.Recv(t, p.dr); v != i {
			t.Fatalf("dialer received %d, want %d", v, i)
		}
		if v, _ := testkit.Recv(t, p.lr); v != -i {
			t.Fatalf("listener received %d, want %d", v, -i)
		}
	}
	if v, ok := testkit.Recv(t, p.dr); ok {
		t.Fatalf("dialer received %d after the listener's close", v)
	}
	for who, done := range map[string]chan error{"listener": ldone, "dialer": ddone} {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the %s's connection ended with %v", who, err)
			}
		case <-time.After(patience):
			t.Fatalf("the %s's connection did not end", who)
		}
	}
}
