package conn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// rendezvousConfig is testConfig with capacity 0, where callers read.
func rendezvousConfig() *Config {
	cfg := testConfig()
	cfg.Capacity = 0
	cfg.MaxValue = 64 << 10
	return cfg
}

// keepTurnOpen stops the reader goroutine from taking an unused turn back
// during the test, so that a test can be sure the turn waits for a caller.
func keepTurnOpen(t *testing.T) {
	d := turnIdle
	turnIdle = time.Hour
	t.Cleanup(func() { turnIdle = d })
}

// openTurn has the peer send a frame, after which the reader goroutine
// steps aside, and waits until it has.
func openTurn(t *testing.T, c *Conn, p *rawPeer) {
	t.Helper()
	p.write(frameBytes(wire.KindPing, 0, nil))
	awaitHolder(t, c, turnOpen)
}

// awaitHolder polls until the turn is h.
func awaitHolder(t *testing.T, c *Conn, h turnHolder) {
	t.Helper()
	testkit.Eventually(t, "the turn to change hands", func() bool {
		c.turn.mu.Lock()
		defer c.turn.mu.Unlock()
		return c.turn.holder == h
	})
}

type nextResult struct {
	value string
	err   error
}

// sendAcked sends a value and waits for its acknowledgement, in a
// goroutine of its own.
func sendAcked(ctx context.Context, s *Stream) <-chan error {
	acked := make(chan error, 1)
	go func() {
		if err := s.Reserve(ctx); err != nil {
			acked <- err
			return
		}
		seq, err := s.Send([]byte("x"))
		if err != nil {
			acked <- err
			return
		}
		acked <- s.WaitTaken(ctx, seq)
	}()
	return acked
}

// nextIn runs Stream.Next in a goroutine of its own.
func nextIn(ctx context.Context, s *Stream) <-chan nextResult {
	done := make(chan nextResult, 1)
	go func() {
		m, err := s.Next(ctx)
		done <- nextResult{string(m.Value), err}
		m.Release()
	}()
	return done
}

func TestWaiterReadsItsOwnFrame(t *testing.T) {
	keepTurnOpen(t)
	c, p := pipeConn(t, rendezvousConfig(), wire.RoleListener)
	s := c.Stream()
	// The reader goroutine steps aside after its first frame.
	openTurn(t, c, p)

	got := nextIn(context.Background(), s)
	awaitHolder(t, c, turnCaller)
	p.write(dataFrame(MainStream, 0, "a"))
	r, _ := testkit.Recv(t, got)
	if r.err != nil || r.value != "a" {
		t.Fatalf("Next = %q, %v", r.value, r.err)
	}
	c.turn.mu.Lock()
	reads := c.turn.reads
	c.turn.mu.Unlock()
	if reads != 1 {
		t.Fatalf("callers read %d frames, want 1", reads)
	}
	// The credit is written by the taking goroutine: over net.Pipe, that
	// waits for the peer to read it.
	taken := make(chan struct{})
	go func() {
		s.Take()
		close(taken)
	}()
	if f := p.read(); f.Kind != wire.KindCredit {
		t.Fatalf("got a %s frame, want the credit", f.Kind)
	}
	testkit.Recv(t, taken)
}

// A waiter whose context ends while it reads stops, and loses nothing of a
// frame it had half read: the next reader goes on from there. Small frames
// are read from the read buffer, large ones into a buffer of their own.
func TestWaiterInterruptedMidFrame(t *testing.T) {
	keepTurnOpen(t)
	for _, size := range []int{10, 3 * readBuffer} {
		c, p := pipeConn(t, rendezvousConfig(), wire.RoleListener)
		s := c.Stream()
		openTurn(t, c, p)

		ctx, cancel := context.WithCancel(context.Background())
		got := nextIn(ctx, s)
		awaitHolder(t, c, turnCaller)
		value := strings.Repeat("v", size)
		frame := dataFrame(MainStream, 0, value)
		half := len(frame) / 2
		p.write(frame[:half])
		cancel()
		r, _ := testkit.Recv(t, got)
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("size %d: Next = %d bytes, %v; want the context's error", size, len(r.value), r.err)
		}

		got = nextIn(context.Background(), s)
		p.write(frame[half:])
		r, _ = testkit.Recv(t, got)
		if r.err != nil || r.value != value {
			t.Fatalf("size %d: Next = %d bytes, %v; want the value whole", size, len(r.value), r.err)
		}
		if err := c.Err(); err != nil {
			t.Fatalf("size %d: connection ended: %v", size, err)
		}
	}
}

// With no caller reading, the reader goroutine takes the turn back and sees
// the peer go.
func TestIdleTurnGoesBackToReader(t *testing.T) {
	c, p := pipeConn(t, rendezvousConfig(), wire.RoleListener)
	drained := p.drain()
	p.write(frameBytes(wire.KindPing, 0, nil))
	p.write(goAwayFrame(wire.CodeNormal, "bye"))
	_ = p.nc.Close()
	wantErr(t, "connection", ended(t, c), ErrPeerClosed)
	<-drained
}

// A caller that waits while another reads is handed the turn when that one
// is done. With the idle hand-back out of reach, only this path can serve
// the second caller.
func TestSecondWaiterServed(t *testing.T) {
	keepTurnOpen(t)
	c, p := pipeConn(t, rendezvousConfig(), wire.RoleListener)
	s := c.Stream()
	openTurn(t, c, p)

	// The first caller waits for an acknowledgement, reading. Over
	// net.Pipe its write waits for the peer to read the value.
	ctx := context.Background()
	acked := sendAcked(ctx, s)
	if f := p.read(); f.Kind != wire.KindData {
		t.Fatalf("got a %s frame, want the value", f.Kind)
	}
	awaitHolder(t, c, turnCaller)
	// The second waits for a value, behind it.
	got := nextIn(ctx, s)
	testkit.Eventually(t, "the second caller to queue for the turn", func() bool {
		c.turn.mu.Lock()
		defer c.turn.mu.Unlock()
		return len(c.turn.queue) == 1
	})
	p.write(countFrame(wire.KindCredit, MainStream, 1))
	if err, _ := testkit.Recv(t, acked); err != nil {
		t.Fatalf("WaitTaken: %v", err)
	}
	p.write(dataFrame(MainStream, 0, "a"))
	r, _ := testkit.Recv(t, got)
	if r.err != nil || r.value != "a" {
		t.Fatalf("Next = %q, %v", r.value, r.err)
	}
}

// A caller that reads a broken frame ends the connection, and the reader
// goroutine returns too.
func TestWaiterReadsGarbage(t *testing.T) {
	keepTurnOpen(t)
	c, p := pipeConn(t, rendezvousConfig(), wire.RoleListener)
	drained := p.drain()
	openTurn(t, c, p)
	got := nextIn(context.Background(), c.Stream())
	awaitHolder(t, c, turnCaller)
	p.write(frameBytes(wire.Kind(250), MainStream, nil))
	wantErr(t, "connection", ended(t, c), ErrProtocol)
	r, _ := testkit.Recv(t, got)
	wantErr(t, "Next", r.err, ErrProtocol)
	_ = p.nc.Close()
	<-drained
}

// The peer's close reaches a waiting caller as io.EOF.
func TestWaiterSeesClose(t *testing.T) {
	keepTurnOpen(t)
	c, p := pipeConn(t, rendezvousConfig(), wire.RoleListener)
	openTurn(t, c, p)
	got := nextIn(context.Background(), c.Stream())
	awaitHolder(t, c, turnCaller)
	p.write(countFrame(wire.KindClose, MainStream, 0))
	if r, _ := testkit.Recv(t, got); r.err != io.EOF {
		t.Fatalf("Next = %q, %v; want io.EOF", r.value, r.err)
	}
}

// queueLen polls until n callers queue for the turn.
func queueLen(t *testing.T, c *Conn, n int) {
	t.Helper()
	testkit.Eventually(t, fmt.Sprintf("%d callers to queue for the turn", n), func() bool {
		c.turn.mu.Lock()
		defer c.turn.mu.Unlock()
		return len(c.turn.queue) == n
	})
}

// A frame read for one queued caller wakes the others, which find theirs:
// here the first in the queue gets the turn and reads on for its own
// frame, which comes last, while the second's came first.
func TestQueuedCallerSeesFrameReadByAnother(t *testing.T) {
	keepTurnOpen(t)
	c, p := pipeConn(t, rendezvousConfig(), wire.RoleListener)
	s := c.Stream()
	ctx := context.Background()
	// Before any frame the reader goroutine holds the turn, reading.
	acked := sendAcked(ctx, s)
	if f := p.read(); f.Kind != wire.KindData {
		t.Fatalf("got a %s frame, want the value", f.Kind)
	}
	queueLen(t, c, 1)
	got := nextIn(ctx, s)
	queueLen(t, c, 2)

	p.write(dataFrame(MainStream, 0, "a"))
	r, _ := testkit.Recv(t, got)
	if r.err != nil || r.value != "a" {
		t.Fatalf("Next = %q, %v", r.value, r.err)
	}
	p.write(countFrame(wire.KindCredit, MainStream, 1))
	if err, _ := testkit.Recv(t, acked); err != nil {
		t.Fatalf("WaitTaken: %v", err)
	}
}

// stillWaiting fails if ch delivers within testkit.Settle.
func stillWaiting(t *testing.T, ch <-chan error) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("returned %v with the window full", err)
	case <-time.After(testkit.Settle):
	}
}

// Room in a full window can come from this end, from a reservation given
// back: a Reserve waiting for it must see it, not wait for a frame.
func TestReserveSeesRoomGivenBack(t *testing.T) {
	c, p := pipeConn(t, rendezvousConfig(), wire.RoleListener)
	s := c.Stream()
	ctx := context.Background()
	if err := s.Reserve(ctx); err != nil {
		t.Fatal(err)
	}
	reserved := make(chan error, 1)
	go func() { reserved <- s.Reserve(ctx) }()
	stillWaiting(t, reserved)
	s.Cancel()
	if err, _ := testkit.Recv(t, reserved); err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	s.Cancel()

	// And a close of the send side ends a Reserve waiting for room.
	if err := s.Reserve(ctx); err != nil {
		t.Fatal(err)
	}
	go func() { reserved <- s.Reserve(ctx) }()
	stillWaiting(t, reserved)
	closed := make(chan error, 1)
	go func() { closed <- s.CloseSend() }() // its frame waits for the peer to read it
	if f := p.read(); f.Kind != wire.KindClose {
		t.Fatalf("got a %s frame, want the close", f.Kind)
	}
	testkit.Recv(t, closed)
	err, _ := testkit.Recv(t, reserved)
	wantErr(t, "Reserve", err, ErrSendClosed)
}
