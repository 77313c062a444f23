package netchan_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
	"go.uber.org/goleak"
)

var errEOF = io.EOF

// Record has a field of each kind the codecs must carry.
type Record struct {
	Name   string
	Tags   []string
	Counts map[string]int64
	Next   *Record
	Blob   []byte
	At     time.Time
	Small  int8
	Ratio  float64
}

func record(i int) Record {
	return Record{
		Name:   fmt.Sprintf("record %d: ünïcode ✓", i),
		Tags:   []string{"a", fmt.Sprint(i)},
		Counts: map[string]int64{"x": int64(i), "big": 1 << 60},
		Next:   &Record{Name: "inner", Blob: []byte{0, 1, 2}},
		Blob:   []byte{byte(i), 0xff, 0},
		At:     time.Date(2026, 11, 25, 7, 0, 0, 123456789+i, time.UTC),
		Small:  -128,
		Ratio:  float64(i) / 3,
	}
}

// sameRecord compares up to the documented time equivalence: the same
// instant, whatever location the codec restores.
func sameRecord(a, b Record) bool {
	if !a.At.Equal(b.At) {
		return false
	}
	a.At, b.At = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

var codecs = []codec.Codec{codec.CBOR(), codec.Gob(), codec.JSON()}

func TestRoundTripEveryCodecAndTransport(t *testing.T) {
	for _, tr := range transports(t) {
		for _, c := range codecs {
			t.Run(tr.name+"/"+c.Name(), func(t *testing.T) {
				e := connect[Record](t,
					append(tr.listen, netchan.WithCodec(c)),
					append(tr.dialer, netchan.WithCodec(c)))
				const n = 20
				// Both directions at once.
				go func() {
					for i := range n {
						e.ds <- record(i)
					}
				}()
				go func() {
					for i := range n {
						e.ls <- record(1000 + i)
					}
				}()
				for i := range n {
					if got, _ := testkit.Recv(t, e.lr); !sameRecord(got, record(i)) {
						t.Fatalf("listener got %+v, want %+v", got, record(i))
					}
					if got, _ := testkit.Recv(t, e.dr); !sameRecord(got, record(1000+i)) {
						t.Fatalf("dialer got %+v, want %+v", got, record(1000+i))
					}
				}
				if errs := append(e.lerr.all(), e.derr.all()...); len(errs) > 0 {
					t.Fatalf("errors reported: %v", errs)
				}
			})
		}
	}
}

func TestListenerCloseClosesDialerRecvAfterDelivery(t *testing.T) {
	e := connect[int](t, []netchan.Option{netchan.Insecure()}, []netchan.Option{netchan.Insecure()})
	const n = 50 // below the default capacity: all sends complete before any receive
	for i := range n {
		testkit.Send(t, e.ls, i)
	}
	close(e.ls)
	for i := range n {
		v, ok := testkit.Recv(t, e.dr)
		if !ok || v != i {
			t.Fatalf("receive %d: got %d, open %v", i, v, ok)
		}
	}
	if v, ok := testkit.Recv(t, e.dr); ok {
		t.Fatalf("after close: got %d, want a closed channel", v)
	}
}

func TestDialerCloseEndsListenerSideAfterDelivery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, ln := typedListener(t, ctx)
	ds, _, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	for i := range n {
		testkit.Send(t, ds, i)
	}
	close(ds)
	rctx, rcancel := context.WithTimeout(ctx, testkit.Patience)
	defer rcancel()
	for i := range n {
		v, err := c.Recv(rctx)
		if err != nil || v != i {
			t.Fatalf("Recv %d: got %d, %v", i, v, err)
		}
	}
	if v, err := c.Recv(rctx); err == nil || !errors.Is(err, errEOF) {
		t.Fatalf("after close: got %d, %v; want io.EOF", v, err)
	}
}

func TestEachValueGoesToExactlyOneClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	ls, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(4))
	if err != nil {
		t.Fatal(err)
	}
	const clients, n = 7, 700
	got := make([][]int, clients)
	var wg sync.WaitGroup
	for k := range clients {
		_, dr, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(4))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for v := range dr {
				got[k] = append(got[k], v)
			}
		})
	}
	for i := range n {
		testkit.Send(t, ls, i)
	}
	close(ls) // closes every client's receive channel once it has its values
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	if _, ok := testkit.Recv(t, done); ok {
		t.Fatal("unreachable")
	}
	var all []int
	for k, vs := range got {
		if !slices.IsSorted(vs) {
			t.Errorf("client %d got values out of order: %v", k, vs)
		}
		all = append(all, vs...)
	}
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("values received (sorted) differ at %d: got %d; %d received in all, want %d exactly once each", i, v, len(all), n)
		}
	}
	if len(all) != n {
		t.Fatalf("%d values received, want %d", len(all), n)
	}
}

// Capacity is exact in both directions, whichever end set the smaller.
func TestCapacityIsExact(t *testing.T) {
	for _, tc := range []struct{ listener, dialer, want int }{
		{1, 1, 1}, {3, 3, 3}, {17, 17, 17}, {100, 100, 100},
		{3, 17, 3}, {17, 3, 3}, // the smaller wins
		{1024, 1, 1}, {1024, 80, 80},
	} {
		t.Run(fmt.Sprintf("listener=%d,dialer=%d", tc.listener, tc.dialer), func(t *testing.T) {
			e := connect[int](t,
				[]netchan.Option{netchan.Insecure(), netchan.WithBuffer(tc.listener)},
				[]netchan.Option{netchan.Insecure(), netchan.WithBuffer(tc.dialer)})
			sendsComplete(t, "dialer", e.ds, e.lr, tc.want)
			sendsComplete(t, "listener", e.ls, e.dr, tc.want)
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
	// One more send may only complete once the remote program receives.
	// Had the capacity been larger, it would have completed as fast as the
	// sends before it.
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

// Clients with small capacities, rendezvous ones among them, keep sending
// to a listener with the default one.
func TestClientsWithSmallCapacities(t *testing.T) {
	for _, opt := range []netchan.Option{netchan.WithBuffer(1), netchan.WithBuffer(3), netchan.WithBuffer(80), netchan.Sync()} {
		e := connect[int](t, []netchan.Option{netchan.Insecure()}, []netchan.Option{netchan.Insecure(), opt})
		const n = 200
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for i := range n {
				select {
				case e.ds <- i:
				case <-stop:
					return
				}
			}
		}()
		for i := range n {
			if v, _ := testkit.Recv(t, e.lr); v != i {
				t.Fatalf("received %d, want %d", v, i)
			}
		}
	}
}

func TestUnverifiedServerRefused(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	server, stranger := testkit.NewTrust(t), testkit.NewTrust(t)
	ln := testkit.Loopback(t)
	if _, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.WithTLS(server.Server)); err != nil {
		t.Fatal(err)
	}
	_, _, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.WithTLS(stranger.Client))
	if !errors.Is(err, netchan.ErrHandshake) {
		t.Fatalf("Dial to a server signed by an unknown CA: %v; want ErrHandshake", err)
	}
	skip := stranger.Client.Clone()
	skip.InsecureSkipVerify = true
	if _, _, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.WithTLS(skip)); !errors.Is(err, netchan.ErrUnverified) {
		t.Fatalf("Dial with InsecureSkipVerify: %v; want ErrUnverified", err)
	}
}

func TestNoTrustIsAnError(t *testing.T) {
	ctx := context.Background()
	if _, _, err := netchan.Dial[int](ctx, "127.0.0.1:1"); !errors.Is(err, netchan.ErrNoTrust) {
		t.Fatalf("Dial: %v; want ErrNoTrust", err)
	}
	if _, _, err := netchan.Listen[int](ctx, "127.0.0.1:0"); !errors.Is(err, netchan.ErrNoTrust) {
		t.Fatalf("Listen: %v; want ErrNoTrust", err)
	}
}

func TestCodecMismatchFailsDial(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	if _, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure()); err != nil {
		t.Fatal(err)
	}
	_, _, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithCodec(codec.Gob()))
	if !errors.Is(err, netchan.ErrCodecMismatch) {
		t.Fatalf("Dial with gob against cbor: %v; want ErrCodecMismatch", err)
	}
}

func TestInvalidOptionsFail(t *testing.T) {
	ctx := context.Background()
	for name, opt := range map[string]netchan.Option{
		"negative buffer": netchan.WithBuffer(-1),
		"short secret":    netchan.WithSecret("hunter2"),
		"tiny max size":   netchan.WithMaxMessageSize(1),
		"nil TLS":         netchan.WithTLS(nil),
	} {
		if _, _, err := netchan.Dial[int](ctx, "127.0.0.1:1", opt, netchan.Insecure()); err == nil {
			t.Errorf("%s: Dial succeeded", name)
		}
	}
}

func TestCancelStopsEverything(t *testing.T) {
	for _, tr := range transports(t) {
		t.Run(tr.name, func(t *testing.T) {
			e := connect[int](t, tr.listen, tr.dialer)
			testkit.Send(t, e.ds, 1)
			testkit.Recv(t, e.lr)
			testkit.Send(t, e.ls, 2)
			testkit.Recv(t, e.dr)
			e.cancel()
			for _, ch := range []<-chan int{e.lr, e.dr} {
				if _, ok := testkit.Recv(t, ch); ok {
					t.Fatal("value after cancel")
				}
			}
			goleak.VerifyNone(t)
		})
	}
}

func TestSendAfterPeerGoneReachesOnError(t *testing.T) {
	addr, vanish := vanishingListener(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log errorLog
	ds, dr, err := netchan.Dial[int](ctx, addr, netchan.Insecure(), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	vanish()
	if _, ok := testkit.Recv(t, dr); ok {
		t.Fatal("value from a listener that went away")
	}
	testkit.Send(t, ds, 42)
	testkit.Eventually(t, "the undelivered value to reach OnError", log.undelivered(42))
}

// After its connection failed, a Dial's send channel reports every value as
// undelivered at once, even while a value that arrived before the failure
// waits for the program to receive it.
func TestDialSenderNotStuckAfterFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, ln := typedListener(t, ctx)
	defer l.Close()
	var log errorLog
	ds, dr, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send(ctx, 7); err != nil {
		t.Fatal(err)
	}
	_ = c.Close() // 7 is now in the dialer's hands, waiting for a receive
	testkit.Eventually(t, "the dialer to report the failure", func() bool {
		for _, err := range log.all() {
			if errors.Is(err, netchan.ErrPeerClosed) {
				return true
			}
		}
		return false
	})
	testkit.Send(t, ds, 8)
	testkit.Eventually(t, "8 to be reported undelivered", log.undelivered(8))
	if v, ok := testkit.Recv(t, dr); !ok || v != 7 {
		t.Fatalf("received %d, %v; want 7, the value sent before the failure", v, ok)
	}
}
