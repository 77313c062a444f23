package conn

import (
	"context"
	gosync "sync"
	"time"
)

// On a rendezvous connection each value is a round trip: the sender waits
// for the acknowledgement, the receiver for the value. Had the reader
// goroutine read every frame, each round trip would pay two hand-offs, from
// the reader to the goroutine waiting at each end, and each hand-off wakes
// a thread; that is what kept rendezvous well below a plain request and
// reply over TLS. So on such a connection the goroutine that waits reads:
// the reader goroutine steps aside once it has nothing buffered and nobody
// waits on it, and a caller about to wait takes the turn and reads the
// frame it waits for itself, like a program reading its own socket.
//
// The reader goroutine takes the turn back when the connection ends, when
// a caller waits for a frame another caller is reading, and when no caller
// has read for turnIdle: a connection whose program stopped waiting must
// still notice a peer that goes away.

// turnIdle is how long the turn may go unused before the reader goroutine
// takes it back. A variable for tests.
var turnIdle = time.Millisecond

// Who may read the connection.
type turnHolder int

const (
	turnReader turnHolder = iota // the reader goroutine
	turnOpen                     // a caller may take it; nobody reads
	turnCaller                   // a caller is reading a frame
)

type turn struct {
	c        *Conn
	wake     chan struct{} // capacity 1: the turn went back to the reader goroutine
	onDemand bool          // callers may read: a rendezvous connection

	mu          gosync.Mutex
	holder      turnHolder
	waiting     int    // callers waiting for frames read by others
	ending      bool   // the connection is ending; only the reader goroutine reads
	failed      bool   // a caller's read failed; the reader goroutine stops
	reads       uint64 // frames read by callers, for the idle timer
	seen        uint64 // reads at the idle timer's last check
	timer       *time.Timer
	armed       bool
	base        time.Time // the read deadline when nobody is interrupted
	interrupted bool      // a caller's read was cut short by its context
	watched     <-chan struct{}
	unwatch     func() bool
}

func (t *turn) init(c *Conn, onDemand bool) {
	t.c = c
	t.wake = make(chan struct{}, 1)
	t.onDemand = onDemand
}

// await waits until the reader goroutine holds the turn. It reports false
// when a caller's read failed: the connection has ended, and the reader
// goroutine has nothing more to do.
func (t *turn) await() bool {
	for {
		t.mu.Lock()
		h, failed := t.holder, t.failed
		t.mu.Unlock()
		if failed {
			return false
		}
		if h == turnReader {
			return true
		}
		<-t.wake
	}
}

// stepAside opens the turn to callers after the reader goroutine handled a
// frame, if this connection lets callers read, nothing is left in the read
// buffer to handle, and no caller waits on the reader goroutine.
func (t *turn) stepAside(buffered int) {
	if !t.onDemand || buffered > 0 {
		return
	}
	t.mu.Lock()
	if t.waiting == 0 && !t.ending {
		t.holder = turnOpen
		t.armLocked()
	}
	t.mu.Unlock()
}

func (t *turn) armLocked() {
	if t.armed {
		return
	}
	t.armed = true
	t.seen = t.reads
	if t.timer == nil {
		t.timer = time.AfterFunc(turnIdle, t.idle)
	} else {
		t.timer.Reset(turnIdle)
	}
}

// idle gives the turn back to the reader goroutine if no caller read since
// the last check.
func (t *turn) idle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.armed = false
	if t.holder == turnReader {
		return
	}
	if t.holder == turnCaller || t.reads != t.seen {
		t.armLocked()
		return
	}
	t.toReaderLocked()
}

func (t *turn) toReaderLocked() {
	t.holder = turnReader
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// end gives the turn to the reader goroutine for good: the connection is
// ending, and reading until the peer closes is the reader goroutine's job.
// A caller reading now keeps its frame and hands over when done.
func (t *turn) end() {
	t.mu.Lock()
	t.ending = true
	if t.holder == turnOpen {
		t.toReaderLocked()
	}
	t.mu.Unlock()
}

// setDeadline sets the read deadline callers' interruptions return to.
func (t *turn) setDeadline(d time.Time) {
	t.mu.Lock()
	t.base = d
	if !t.interrupted {
		_ = t.c.nc.SetReadDeadline(d)
	}
	t.mu.Unlock()
}

// stop releases the timer and the context watch once the connection ended.
func (t *turn) stop() {
	t.mu.Lock()
	if t.timer != nil {
		t.timer.Stop()
	}
	if t.unwatch != nil {
		t.unwatch()
		t.unwatch, t.watched = nil, nil
	}
	t.mu.Unlock()
}

// watchLocked makes ctx's end interrupt a caller's read. The watch stays for
// the next wait with the same context, so a loop of waits registers once.
func (t *turn) watchLocked(ctx context.Context) {
	done := ctx.Done()
	if done == nil || done == t.watched {
		return
	}
	if t.unwatch != nil {
		t.unwatch()
	}
	t.watched = done
	t.unwatch = context.AfterFunc(ctx, t.interrupt)
}

// interrupt cuts short a caller's read. A stale watch may cut short the
// read of a caller whose context is still live; that caller reads again.
func (t *turn) interrupt() {
	t.mu.Lock()
	if t.holder == turnCaller {
		t.interrupted = true
		_ = t.c.nc.SetReadDeadline(time.Unix(1, 0))
	}
	t.mu.Unlock()
}

// Await waits for something a frame from the peer brings: check reports
// without waiting whether it has come, and wait waits for it and returns
// what check would. A layer above conn that waits for frames calls Await
// rather than wait, so that on a rendezvous connection the waiting
// goroutine reads the frames itself whenever no other goroutine does; on
// other connections Await is wait.
func (c *Conn) Await(ctx context.Context, check func() (done bool, err error), wait func() error) error {
	for c.turn.onDemand {
		if !c.takeTurn(ctx) {
			defer c.doneWaiting()
			break
		}
		// Checked with the turn held: no frame can arrive unseen between
		// the check and the read.
		if done, err := check(); done || err != nil {
			c.releaseTurn(false, nil)
			return err
		}
		if ctx.Err() != nil {
			c.releaseTurn(false, nil)
			return context.Cause(ctx)
		}
		if err := c.readInTurn(ctx); err != nil {
			return err
		}
	}
	return wait()
}

// takeTurn takes the turn if it is open. Otherwise it counts the caller as
// waiting, until doneWaiting, so that the reader goroutine reads for it.
func (c *Conn) takeTurn(ctx context.Context) bool {
	t := &c.turn
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.holder != turnOpen {
		t.waiting++
		return false
	}
	t.holder = turnCaller
	t.watchLocked(ctx)
	return true
}

// readInTurn reads and handles one frame with the turn held, then gives
// the turn up. It returns ctx's cause if ctx ended the read.
func (c *Conn) readInTurn(ctx context.Context) error {
	timedOut, err := c.readFrame()
	if err != nil && !timedOut {
		c.fail(err)
	} else {
		err = nil
	}
	c.releaseTurn(true, err)
	if timedOut && ctx.Err() != nil {
		return context.Cause(ctx)
	}
	// A timeout with ctx live came from the watch of an earlier context;
	// the caller reads again.
	return nil
}

// releaseTurn gives up a caller's turn, after it read a frame or not: to
// other callers, or to the reader goroutine if callers wait for it, if the
// connection is ending, or if the caller's read failed with failure.
func (c *Conn) releaseTurn(read bool, failure error) {
	t := &c.turn
	t.mu.Lock()
	defer t.mu.Unlock()
	if read {
		t.reads++
	}
	if t.interrupted {
		t.interrupted = false
		_ = c.nc.SetReadDeadline(t.base)
	}
	switch {
	case failure != nil:
		t.failed = true
		t.toReaderLocked()
	case t.waiting > 0 || t.ending:
		t.toReaderLocked()
	default:
		t.holder = turnOpen
		t.armLocked()
	}
}

// doneWaiting ends a wait that takeTurn counted.
func (c *Conn) doneWaiting() {
	c.turn.mu.Lock()
	c.turn.waiting--
	c.turn.mu.Unlock()
}
