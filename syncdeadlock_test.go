package netchan_test

import (
	"bytes"
	"context"
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestSyncCutWhileCrediting: on a Sync() connection of the channel API,
// the dialer's program takes a value and the goroutine that handed it over
// writes its credit at once, itself; the connection breaks under that
// write, as the dialer's ctx ends, while the dialer's send side waits for
// room and its reader reads. Every goroutine must go on and the connection
// end, its receive channel closed and OnDone called. A lock held across
// that write, which a goroutine reading the connection or waiting for a
// frame also takes, would deadlock here: an earlier design held the
// inbox's lock there while a receiver waiting for a frame held the read
// turn's and wanted the inbox's, which TestTwentyThousandThroughFiftyCuts
// found where a cut broke the write.
func TestSyncCutWhileCrediting(t *testing.T) {
	lctx, lcancel := context.WithCancel(context.Background())
	ln := testkit.Loopback(t)
	opts := []netchan.Option{netchan.Insecure(), netchan.Sync()}
	ls, lr, err := netchan.Listen[int](lctx, "", append(opts, netchan.WithListener(ln))...)
	if err != nil {
		lcancel()
		t.Fatal(err)
	}
	defer func() { lcancel(); drain(lr) }()
	d := &stallingDialer{release: make(chan struct{}), blocked: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	ds, dr, err := netchan.Dial[int](ctx, ln.Addr().String(), append(opts, netchan.WithDialer(d.dial),
		netchan.OnDone(func(err error) { done <- err }))...)
	if err != nil {
		t.Fatal(err)
	}
	// Received values go to got, which closes when dr does; a failure
	// below leaves this goroutine blocked with the deadlocked ones.
	got := make(chan int, 2)
	go func() {
		for v := range dr {
			got <- v
		}
		close(got)
	}()

	// The dialer's send side: 7 goes, and the next send waits for 7's
	// credit, which the listener holds back until the end.
	testkit.Send(t, ds, 7)
	go func() {
		select {
		case ds <- 8:
		case <-ctx.Done():
		}
	}()
	if !waitForStack(testkit.Patience, "Reserve", "waitOnReader") {
		t.Fatalf("the dialer's send side does not wait for room; its goroutines:\n%s", netchanStacks())
	}
	d.stall() // from now on the first connection's credit writes wait for release
	testkit.Send(t, ls, 42)
	if v, _ := testkit.Recv(t, got); v != 42 {
		t.Fatalf("received %d, want 42", v)
	}
	select {
	case <-d.blocked:
	case <-time.After(testkit.Patience):
		t.Fatalf("the credit for 42 was not written by the goroutine that handed 42 over; its goroutines:\n%s", netchanStacks())
	}
	cancel()
	close(d.release) // the write fails: the connection broke
	select {
	case _, ok := <-got:
		if ok {
			t.Fatal("a value after 42")
		}
	case <-time.After(testkit.Patience):
		t.Fatalf("the dialer's receive channel did not close within %v of its ctx; its goroutines:\n%s", testkit.Patience, netchanStacks())
	}
	select {
	case <-done:
	case <-time.After(testkit.Patience):
		t.Fatalf("the dialer's OnDone did not come within %v of its ctx; its goroutines:\n%s", testkit.Patience, netchanStacks())
	}
}

// stallingDialer dials TCP; once stall is called, the first connection's
// writes of credits the program freed (from Stream.TakeN) wait until
// release is closed, then fail as on a connection that was reset, and so
// do all its later writes.
// blocked is closed when the first such write waits.
type stallingDialer struct {
	release, blocked chan struct{}
	mu               sync.Mutex
	first            *stallingConn
}

func (d *stallingDialer) dial(ctx context.Context, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.first != nil {
		return c, nil
	}
	d.first = &stallingConn{Conn: c, d: d}
	return d.first, nil
}

func (d *stallingDialer) stall() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.first.stalled = true
}

type stallingConn struct {
	net.Conn
	d       *stallingDialer
	stalled bool // guarded by d.mu
	once    sync.Once
}

func (c *stallingConn) Write(b []byte) (int, error) {
	c.d.mu.Lock()
	stalled := c.stalled
	c.d.mu.Unlock()
	if !stalled {
		return c.Conn.Write(b)
	}
	select {
	case <-c.d.release:
		return 0, syscall.ECONNRESET
	default:
	}
	if !bytes.Contains(ownStack(), []byte("(*Stream).TakeN")) {
		return c.Conn.Write(b)
	}
	c.once.Do(func() { close(c.d.blocked) })
	<-c.d.release
	return 0, syscall.ECONNRESET
}

// waitForStack waits, at most d, until a goroutine's stack holds every one
// of parts; it reports whether one did.
func waitForStack(d time.Duration, parts ...string) bool {
	deadline := time.Now().Add(d)
	for {
		for _, g := range bytes.Split(allStacks(), []byte("\n\n")) {
			found := true
			for _, p := range parts {
				found = found && bytes.Contains(g, []byte(p))
			}
			if found {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

// netchanStacks returns the stacks of the goroutines that run netchan's
// code.
func netchanStacks() string {
	var out []byte
	for _, g := range bytes.Split(allStacks(), []byte("\n\n")) {
		if bytes.Contains(g, []byte("github.com/netchan/netchan/")) {
			out = append(out, g...)
			out = append(out, "\n\n"...)
		}
	}
	return string(out)
}

func allStacks() []byte { return stacks(true) }

func ownStack() []byte { return stacks(false) }

func stacks(all bool) []byte {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, all)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
