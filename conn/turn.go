package conn

import (
	"context"
	"errors"
	gosync "sync"
	"time"
)

// On a rendezvous session each value is a round trip: the sender waits for
// the acknowledgement, the receiver for the value. Had the reader goroutine
// read every frame, each round trip would pay a hand-off at each end, from
// the reader to the goroutine waiting, and each wakes a thread. So on such
// a session the goroutine that waits reads: it takes the turn to read and
// reads frames itself until what it waits for came, like a program reading
// its own socket.
//
// One goroutine holds the turn at a time. After a frame, a caller hands it
// back open, for the next caller to take without waking anyone; one that
// finds it taken waits until a frame was handled, and checks again. The
// reader goroutine takes the turn when no caller has read for turnIdle, so
// that a peer that goes away is still noticed while the program does other
// things, and for good when the connection ends.

// turnIdle is how long the turn may stay open before the reader goroutine
// takes it back.
const turnIdle = time.Millisecond

// Who may read the connection.
type turnHolder uint8

const (
	turnReader turnHolder = iota // the reader goroutine
	turnOpen                     // the next caller to come; nobody reads
	turnCaller                   // a caller
)

// errInterrupted ends a caller's read cut short so that it may give up.
var errInterrupted = errors.New("netchan: read interrupted")

type turn struct {
	c        *carrier
	onDemand bool          // a rendezvous session: callers may read
	wake     chan struct{} // capacity 1: the turn went back to the reader goroutine

	mu          gosync.Mutex
	holder      turnHolder
	ended       bool          // only the reader goroutine reads from now on
	handled     chan struct{} // closed when a frame was handled or the turn freed; nil until a caller waits
	reads, seen uint64        // frames callers read, and at the idle timer's last look
	timer       *time.Timer
	armed       bool
	interrupted bool
	needReader  int       // goroutines waiting for something this end may bring too
	base        time.Time // the read deadline an interruption returns to
	watched     <-chan struct{}
	unwatch     func() bool
}

func (t *turn) init(c *carrier, onDemand bool) {
	t.c, t.onDemand = c, onDemand
	t.wake = make(chan struct{}, 1)
}

// awaitReader waits until the reader goroutine holds the turn.
func (t *turn) awaitReader() {
	if !t.onDemand {
		return // the turn never leaves it: no lock per frame
	}
	for {
		t.mu.Lock()
		h := t.holder
		t.mu.Unlock()
		if h == turnReader {
			return
		}
		<-t.wake
	}
}

// afterReader opens the turn after the reader goroutine handled a frame,
// unless more frames wait in the read buffer or the connection is ending.
func (t *turn) afterReader(buffered int) {
	if !t.onDemand {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.ended && buffered == 0 && t.needReader == 0 {
		t.holder = turnOpen
		t.armLocked()
	}
	t.broadcastLocked()
}

// broadcastLocked wakes the callers waiting, to check what the frame just
// handled brought, and to take the turn if it is open.
func (t *turn) broadcastLocked() {
	if t.handled != nil {
		close(t.handled)
		t.handled = nil
	}
}

func (t *turn) armLocked() {
	if t.armed {
		return
	}
	t.armed, t.seen = true, t.reads
	if t.timer == nil {
		t.timer = time.AfterFunc(turnIdle, t.idle)
	} else {
		t.timer.Reset(turnIdle)
	}
}

// idle gives an open turn back to the reader goroutine if no caller read
// since the last look.
func (t *turn) idle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.armed = false
	if t.holder != turnOpen {
		return
	}
	if t.reads != t.seen {
		t.armLocked()
		return
	}
	t.toReaderLocked()
}

func (t *turn) toReaderLocked() {
	t.holder = turnReader
	signal(t.wake)
}

// end gives the turn to the reader goroutine for good: the connection is
// ending. A caller reading is cut short first.
func (t *turn) end() {
	if !t.onDemand {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ended = true
	switch t.holder {
	case turnOpen:
		t.toReaderLocked()
	case turnCaller:
		t.interruptLocked()
	}
	t.broadcastLocked()
}

// setDeadline sets the read deadline that interruptions return to.
func (t *turn) setDeadline(d time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.base = d
	if !t.interrupted {
		_ = t.c.nc.SetReadDeadline(d)
	}
}

// stop releases the timer and the context watch once the connection ended.
func (t *turn) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		t.timer.Stop()
	}
	if t.unwatch != nil {
		t.unwatch()
		t.unwatch, t.watched = nil, nil
	}
}

// watchLocked makes ctx's end interrupt a caller's read. The watch stays for
// the next wait with the same context, so a loop of waits registers once; a
// stale one may interrupt a caller whose context is live, which then reads
// again.
func (t *turn) watchLocked(ctx context.Context) {
	done := ctx.Done()
	if done == nil || done == t.watched {
		return
	}
	if t.unwatch != nil {
		t.unwatch()
	}
	t.watched = done
	t.unwatch = context.AfterFunc(ctx, func() {
		t.mu.Lock()
		t.interruptLocked()
		t.mu.Unlock()
	})
}

func (t *turn) interruptLocked() {
	if t.holder == turnCaller {
		t.interrupted = true
		_ = t.c.nc.SetReadDeadline(deadlinePassed)
	}
}

// await waits until check reports done, reading frames itself while it can.
// It returns ok false, without waiting, once the connection is ending: the
// caller then waits for what the reader goroutine reads.
func (t *turn) await(ctx context.Context, check func() (bool, error)) (ok bool, err error) {
	for {
		// Checked with mu held: a frame handled after this check is
		// broadcast once this caller waits, or was not handled by anyone
		// else if this caller takes the turn.
		t.mu.Lock()
		if done, err := check(); done || err != nil {
			t.mu.Unlock()
			return true, err
		}
		if ctx.Err() != nil {
			t.mu.Unlock()
			return true, context.Cause(ctx)
		}
		if t.ended {
			t.mu.Unlock()
			return false, nil
		}
		if t.holder != turnOpen {
			if t.handled == nil {
				t.handled = make(chan struct{})
			}
			handled := t.handled
			t.mu.Unlock()
			select {
			case <-handled:
			case <-ctx.Done():
			}
			continue
		}
		t.holder = turnCaller
		t.watchLocked(ctx)
		t.mu.Unlock()
		err := t.c.readFrame()
		t.mu.Lock()
		if t.interrupted {
			t.interrupted = false
			_ = t.c.nc.SetReadDeadline(t.base)
		}
		failed := err != nil && !errors.Is(err, errInterrupted)
		if err == nil {
			t.reads++
		}
		if failed {
			t.ended = true
		}
		if t.ended {
			t.toReaderLocked()
		} else {
			t.holder = turnOpen
			t.armLocked()
		}
		t.broadcastLocked()
		t.mu.Unlock()
		if failed {
			t.c.fail(err) // which ends the turn, done already
		}
	}
}

// isInterrupted reports whether a caller's read was cut short on purpose.
func (t *turn) isInterrupted() bool {
	if !t.onDemand {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.interrupted
}

// Await waits for something only a frame from the peer brings, or the
// session's end: check reports without waiting whether it has come, and
// wait waits for it and returns what check would. A layer above conn that
// waits for such a thing calls Await rather than wait, so that on a
// rendezvous session the waiting goroutine reads the frames itself; on
// other sessions, and while the session has no connection, Await is wait.
func (s *Session) Await(ctx context.Context, check func() (done bool, err error), wait func() error) error {
	if s.capacity != 0 {
		return wait()
	}
	s.mu.Lock()
	c := s.cur
	s.mu.Unlock()
	if c == nil {
		return wait()
	}
	if ok, err := c.turn.await(ctx, check); ok {
		return err
	}
	return wait()
}

// waitOnReader waits with wait for something that may come from the peer
// or from this end, such as room freed by a cancelled send: a goroutine
// blocked in a read would miss the latter. The reader goroutine reads for
// it meanwhile.
func (s *Session) waitOnReader(wait func() error) error {
	if s.capacity != 0 {
		return wait()
	}
	s.mu.Lock()
	c := s.cur
	s.mu.Unlock()
	if c == nil {
		return wait()
	}
	t := &c.turn
	t.mu.Lock()
	t.needReader++
	if t.holder == turnOpen {
		t.toReaderLocked()
	}
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.needReader--
		t.mu.Unlock()
	}()
	return wait()
}
