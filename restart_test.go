package netchan_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// few is how long a dialer may take to learn that a listener restarted:
// its next resume attempt, which a backoff of a few seconds at most
// delays, is refused at once.
const few = 10 * time.Second

// restart is a listener, a dialer of it through a proxy, and a way to make
// the listener's process vanish and come back on the same address.
type restart struct {
	t      *testing.T
	addr   string // the listener's
	proxy  *testkit.Proxy
	ctx    context.Context // the first listener's
	cancel context.CancelFunc
}

func newRestart(t *testing.T) (*restart, net.Listener) {
	ln := testkit.Loopback(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := &restart{t: t, addr: ln.Addr().String(), ctx: ctx, cancel: cancel}
	r.proxy = testkit.NewProxy(t, r.addr)
	return r, ln
}

// vanish cuts the dialer off and ends the first listener, as a process
// that dies does: no goodbye reaches the dialer. stopped waits until the
// listener has stopped. A second listener then listens on the same
// address, and the dialer may reach it.
func (r *restart) vanish(stopped func()) {
	r.proxy.Refuse(true)
	r.proxy.Reset()
	r.cancel()
	stopped()
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.t.Fatalf("listening again on %s: %v", r.addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.t.Cleanup(cancel)
	if _, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), quietLogger); err != nil {
		r.t.Fatal(err)
	}
	r.proxy.Refuse(false)
}

// checkAccounts checks, value by value, that the values sent, 0 to sent-1,
// are those the listener's program received and those reported
// undelivered, each once, and that those reported came in order.
func checkAccounts(t *testing.T, sent int, received []int, log *errorLog) {
	t.Helper()
	var reported []int
	for _, err := range log.all() {
		var u *netchan.UndeliveredError[int]
		if errors.As(err, &u) {
			if !errors.Is(u, netchan.ErrSessionLost) {
				t.Errorf("%d reported undelivered with %v; want ErrSessionLost", u.Value, u.Err)
			}
			reported = append(reported, u.Value)
		}
	}
	if !slices.IsSorted(reported) {
		t.Errorf("reported undelivered out of order: %v", reported)
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(received), reported...)))
	want := make([]int, sent)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(all, want) {
		t.Fatalf("%d values sent; the listener's program received %v and %v were reported undelivered", sent, received, reported)
	}
}

// lost waits until log holds ErrSessionLost, within few of since.
func lost(t *testing.T, log *errorLog, since time.Time) {
	t.Helper()
	testkit.Eventually(t, "the dialer to report ErrSessionLost", func() bool {
		for _, err := range log.all() {
			if errors.Is(err, netchan.ErrSessionLost) {
				return true
			}
		}
		return false
	})
	if d := time.Since(since); d > few {
		t.Fatalf("ErrSessionLost came %v after the listener restarted; want within %v", d, few)
	}
}

// A listener restarted on the same address makes its dialer report
// ErrSessionLost within seconds, not after the resume window, and every
// value sent is accounted for: the listener's program received it, or the
// dialer reported it undelivered, never both. The listener's program stops
// receiving before the restart and the dialer's sends then stall, so that
// no credit is on its way.
func TestRestartedListenerChannels(t *testing.T) {
	const capacity, took = 16, 5
	r, ln := newRestart(t)
	_, lr, err := netchan.Listen[int](r.ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(capacity), quietLogger)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &errorLog{}
	onDone, done := doneOnce()
	ds, _, err := netchan.Dial[int](ctx, r.proxy.Addr(), netchan.Insecure(), netchan.WithBuffer(capacity), netchan.OnError(log.add), netchan.OnDone(onDone))
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	stop := make(chan struct{})
	sending := make(chan struct{})
	go func() {
		defer close(sending)
		defer close(ds)
		for v := 0; ; v++ {
			select {
			case ds <- v:
				sent.Add(1)
			case <-stop:
				return
			}
		}
	}()
	var received []int
	for range took {
		v, _ := testkit.Recv(t, lr)
		received = append(received, v)
	}
	testkit.Eventually(t, "the dialer's sends to stall at the capacity", func() bool { return sent.Load() == took+capacity })

	r.vanish(func() {
		for { // lr closes once the listener has stopped
			if _, ok := testkit.Recv(t, lr); !ok {
				return
			}
		}
	})
	lost(t, log, time.Now())
	close(stop)
	<-sending
	if err := waitDone(t, "dialer", done); !errors.Is(err, netchan.ErrSessionLost) {
		t.Fatalf("OnDone: %v; want ErrSessionLost", err)
	}
	checkAccounts(t, int(sent.Load()), received, log)
}

// The same holds for package typed, whose undelivered values reach
// OnError.
func TestRestartedListenerTyped(t *testing.T) {
	const capacity, took = 16, 5
	r, ln := newRestart(t)
	l, err := typed.Listen[int](r.ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(capacity), quietLogger)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	log := &errorLog{}
	d, err := typed.Dial[int](ctx, r.proxy.Addr(), netchan.Insecure(), netchan.WithBuffer(capacity), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sc, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	sending := make(chan error, 1)
	go func() {
		for v := 0; ; v++ {
			if err := d.Send(ctx, v); err != nil {
				sending <- err
				return
			}
			sent.Add(1)
		}
	}()
	var received []int
	for range took {
		v, err := sc.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		received = append(received, v)
	}
	testkit.Eventually(t, "the dialer's sends to stall at the capacity", func() bool { return sent.Load() == took+capacity })

	r.vanish(func() {
		<-sc.Done()
		_ = l.Close()
	})
	since := time.Now()
	if err, _ := testkit.Recv(t, sending); !errors.Is(err, netchan.ErrSessionLost) {
		t.Fatalf("the blocked Send: %v; want ErrSessionLost", err)
	}
	<-d.Done() // the values undelivered are reported before
	lost(t, log, since)
	checkAccounts(t, int(sent.Load()), received, log)
}
