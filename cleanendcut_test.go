package netchan_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestCutAtCleanEnd: a dialer sends a value and closes its send channel,
// the listener closes its own, and the connection breaks as the dialer's
// session ends, with the dialer's last frames written but lost on the way,
// as a connection that resets with bytes in flight loses them. The session
// must resume and deliver them, value and close: OnDone's documentation
// promises that what was sent before the close, the close included, is
// delivered, and both ends' OnDone then reports nil.
func TestCutAtCleanEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	opts := []netchan.Option{netchan.Insecure(), netchan.WithResumeWindow(5 * time.Second)}
	ln := testkit.Loopback(t)
	lerr, derr := &errorLog{}, &errorLog{}
	ldone, ddone := make(chan error, 1), make(chan error, 1)
	ls, lr, err := netchan.Listen[int](ctx, "", append(opts, netchan.WithListener(ln),
		netchan.OnError(lerr.add), netchan.OnDone(func(err error) { ldone <- err }))...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	defer func() { cancel(); drain(lr) }()
	d := &losingDialer{}
	ds, dr, err := netchan.Dial[int](ctx, ln.Addr().String(), append(opts, netchan.WithDialer(d.dial),
		netchan.OnError(derr.add), netchan.OnDone(func(err error) { ddone <- err }))...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); drain(dr) }()

	testkit.Send(t, ds, 1)
	if v, _ := testkit.Recv(t, lr); v != 1 {
		t.Fatalf("received %d, want 1", v)
	}
	d.lose()
	testkit.Send(t, ds, 42)
	close(ds)
	close(ls)
	if v, ok := testkit.Recv(t, dr); ok {
		t.Fatalf("the dialer received %d, want the listener's close", v)
	}
	d.cut()

	select {
	case v := <-lr:
		if v != 42 {
			t.Fatalf("the listener received %d, want 42", v)
		}
	case err := <-ldone:
		t.Fatalf("the listener's connection ended (%v) without 42; the dialer %s", err, dialerState(ddone, derr))
	case <-time.After(testkit.Patience):
		t.Fatalf("42 did not arrive; the dialer %s", dialerState(ddone, derr))
	}
	for name, done := range map[string]chan error{"listener": ldone, "dialer": ddone} {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the %s's OnDone: %v", name, err)
			}
		case <-time.After(testkit.Patience):
			t.Fatalf("the %s's connection did not end", name)
		}
	}
	if errs := derr.all(); len(errs) > 0 {
		t.Fatalf("the dialer reported %v, want nothing: every value arrived", errs)
	}
}

// dialerState says whether the dialer's connection ended and what it
// reported, for a failure's message.
func dialerState(done <-chan error, errs *errorLog) string {
	select {
	case err := <-done:
		return fmt.Sprintf("ended with OnDone(%v) and reported %v", err, errs.all())
	default:
		return fmt.Sprintf("had not ended, and reported %v", errs.all())
	}
}

// losingDialer dials TCP. Once lose is called, what the first connection
// writes is dropped, as bytes in flight on a link that dies are; once
// deafen is called, what it reads is. cut then resets that connection. The
// dials that resume are left alone.
type losingDialer struct {
	losing, deaf atomic.Bool
	mu           sync.Mutex
	first        *net.TCPConn
}

func (d *losingDialer) dial(ctx context.Context, addr string) (net.Conn, error) {
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
	d.first = c.(*net.TCPConn)
	return &losingConn{Conn: c, losing: &d.losing, deaf: &d.deaf}, nil
}

func (d *losingDialer) lose() { d.losing.Store(true) }

func (d *losingDialer) deafen() { d.deaf.Store(true) }

func (d *losingDialer) cut() {
	d.mu.Lock()
	defer d.mu.Unlock()
	_ = d.first.SetLinger(0)
	_ = d.first.Close()
}

// losingConn drops what it is given to write once losing is set, and what
// it reads once deaf is.
type losingConn struct {
	net.Conn
	losing, deaf *atomic.Bool
}

func (c *losingConn) Read(b []byte) (int, error) {
	for {
		n, err := c.Conn.Read(b)
		if !c.deaf.Load() || err != nil {
			return n, err
		}
	}
}

func (c *losingConn) Write(b []byte) (int, error) {
	if c.losing.Load() {
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// TestCutAfterGoodbye: the dialer's session ends cleanly and the listener
// reads everything, the dialer's goodbye included, but what the listener
// answers is lost, and the connection breaks. The dialer cannot tell that
// from a goodbye that never arrived, and resumes; the listener, whose
// session ended, must answer that the goodbye arrived, not that the
// session is lost: the dialer would report 42, which the listener's
// program received, as not delivered.
func TestCutAfterGoodbye(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	opts := []netchan.Option{netchan.Insecure(), netchan.WithResumeWindow(5 * time.Second)}
	ln := testkit.Loopback(t)
	derr := &errorLog{}
	ldone, ddone := make(chan error, 1), make(chan error, 1)
	ls, lr, err := netchan.Listen[int](ctx, "", append(opts, netchan.WithListener(ln),
		netchan.OnDone(func(err error) { ldone <- err }))...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	defer func() { cancel(); drain(lr) }()
	d := &losingDialer{}
	ds, dr, err := netchan.Dial[int](ctx, ln.Addr().String(), append(opts, netchan.WithDialer(d.dial),
		netchan.OnError(derr.add), netchan.OnDone(func(err error) { ddone <- err }))...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); drain(dr) }()

	testkit.Send(t, ds, 1)
	if v, _ := testkit.Recv(t, lr); v != 1 {
		t.Fatalf("received %d, want 1", v)
	}
	close(ls)
	if v, ok := testkit.Recv(t, dr); ok {
		t.Fatalf("the dialer received %d, want the listener's close", v)
	}
	d.deafen()
	testkit.Send(t, ds, 42)
	close(ds)
	if v, _ := testkit.Recv(t, lr); v != 42 {
		t.Fatalf("the listener received %d, want 42", v)
	}
	if err, _ := testkit.Recv(t, ldone); err != nil {
		t.Fatalf("the listener's OnDone: %v", err)
	}
	d.cut()
	if err, _ := testkit.Recv(t, ddone); err != nil {
		t.Fatalf("the dialer's OnDone: %v; it reported %v", err, derr.all())
	}
	if errs := derr.all(); len(errs) > 0 {
		t.Fatalf("the dialer reported %v, want nothing: every value arrived", errs)
	}
}
