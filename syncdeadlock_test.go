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
// the dialer's reader hands a value straight to the program and writes its
// credit at once, and that write fails: the connection broke. Meanwhile
// the goroutine that receives for the program checks its inbox, as the
// dialer's ctx ends. Both must go on and the connection end. Today they
// deadlock: the reader holds the inbox's lock (inbox.Arrive, through the
// credit's flush) and wants the turn's (carrier.fail, turn.end), while the
// receiver holds the turn's (turn.await) and wants the inbox's
// (inbox.pop). The session then never ends, nor resumes: found by
// TestTwentyThousandThroughFiftyCuts, where a cut breaks the write.
func TestSyncCutWhileCrediting(t *testing.T) {
	knownBug(t, t.Name(), "a lock-order inversion between inbox and turn deadlocks a Sync() connection of the channel API that breaks as a value arrives")
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
	_, dr, err := netchan.Dial[int](ctx, ln.Addr().String(), append(opts, netchan.WithDialer(d.dial))...)
	if err != nil {
		t.Fatal(err)
	}
	// Received values go to got, which closes when dr does; a failure
	// below leaves this goroutine blocked with the deadlocked ones.
	got := make(chan int, 1)
	go func() {
		for v := range dr {
			got <- v
		}
		close(got)
	}()

	// 42 goes straight from the reader to a program waiting for it.
	waitForStack(testkit.Patience, "[chan receive", "TestSyncCutWhileCrediting.func")
	waitForStack(testkit.Patience, "[select", "RecvToOutlet")
	d.stall() // from now on the reader's writes wait for release
	testkit.Send(t, ls, 42)
	if v, _ := testkit.Recv(t, got); v != 42 {
		t.Fatalf("received %d, want 42", v)
	}
	// The reader writes the credit for 42 while it delivers 42, unless
	// netchan no longer does.
	select {
	case <-d.blocked:
	case <-time.After(time.Second):
	}
	cancel()
	// The receiver, woken by ctx, takes the turn's lock and checks the
	// inbox; the reader holds the inbox's lock if it writes the credit.
	waitForStack(testkit.Settle, "(*turn).await", "(*inbox[...]).pop", "sync.(*Mutex).Lock")
	close(d.release) // the write fails: the connection broke
	select {
	case _, ok := <-got:
		if ok {
			t.Fatal("a value after 42")
		}
	case <-time.After(testkit.Patience):
		t.Fatalf("the dialer did not end within %v of its ctx; its goroutines:\n%s", testkit.Patience, netchanStacks())
	}
}

// stallingDialer dials TCP; once stall is called, the first connection's
// writes made as a value arrives (from inbox.Arrive) wait until release is
// closed, then fail as on a connection that was reset. blocked is closed
// when the first such write waits.
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
	if !stalled || !bytes.Contains(ownStack(), []byte("(*inbox[...]).Arrive")) {
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
			out = append(append(out, g...), "\n\n"...)
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
