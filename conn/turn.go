package conn

import (
	"context"
	"slices"
	gosync "sync"
	"time"
)

// On a rendezvous connection each value is a round trip: the sender waits
// for the acknowledgement, the receiver for the value. Had the reader
// goroutine read every frame, each round trip would pay two hand-offs, from
// the reader to the goroutine waiting at each end, and each hand-off wakes
// a thread; that is what kept rendezvous well below a plain request and
// reply over TLS. So on such a connection the goroutine that waits reads:
// it takes the turn to read and reads the frame it waits for itself, like
// a program reading its own socket.
//
// One goroutine holds the turn at a time. A caller that finds it taken
// queues for it, and the holder hands it over after its next frame: each
// caller checks, with the turn held, whether a frame read by another
// brought what it waits for. The reader goroutine holds the turn when no
// caller wants it, and takes it back when no caller has read for turnIdle
// (a connection whose program stopped waiting must still notice a peer
// that goes away) and when the connection ends: reading until the peer
// closes is its job.

// turnIdle is how long the turn may go unused before the reader goroutine
// takes it back. A variable for tests.
var turnIdle = time.Millisecond

// Who may read the connection.
type turnHolder int

const (
	turnReader turnHolder = iota // the reader goroutine
	turnOpen                     // the next caller to come; nobody reads
	turnCaller                   // a caller
)

type turn struct {
	c        *Conn
	wake     chan struct{} // capacity 1: the turn went back to the reader goroutine
	onDemand bool          // callers may read: a rendezvous connection

	mu          gosync.Mutex
	holder      turnHolder
	queue       []chan struct{} // callers waiting for the turn, first come first
	granted     chan struct{}   // the queued caller the turn was handed to, until it wakes
	waiting     int             // callers the reader goroutine reads for (waitOnReader)
	ending      bool            // the connection is ending; only the reader goroutine reads
	failed      bool            // a caller's read failed; the reader goroutine stops
	reads       uint64          // frames read by callers, for the idle timer
	seen        uint64          // reads at the idle timer's last check
	timer       *time.Timer
	armed       bool
	base        time.Time // the read deadline when nobody is interrupted
	interrupted bool      // a caller's read was cut short
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
	if !t.onDemand {
		return true // the turn never leaves it: no lock per frame
	}
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

// stepAside hands the turn on after the reader goroutine handled a frame,
// on a connection whose callers read: to a queued caller, or, if nothing
// is left in the read buffer, to the next caller to come. It keeps the
// turn while callers wait for it to read for them.
func (t *turn) stepAside(buffered int) {
	if !t.onDemand {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ending || (t.waiting == 0 && t.passLocked()) {
		return
	}
	t.pokeLocked()
	if t.waiting > 0 || buffered > 0 {
		return
	}
	t.holder = turnOpen
	t.armLocked()
}

// passLocked hands the turn to the first queued caller, if there is one,
// and wakes the others to check whether the frame just handled was what
// they wait for.
func (t *turn) passLocked() bool {
	if len(t.queue) == 0 {
		return false
	}
	ch := t.queue[0]
	t.queue = slices.Delete(t.queue, 0, 1)
	t.holder, t.granted = turnCaller, ch
	select {
	case ch <- struct{}{}:
	default: // woken already, to check; it finds the turn granted
	}
	t.pokeLocked()
	return true
}

// pokeLocked wakes the queued callers to check whether the frame just
// handled was what they wait for.
func (t *turn) pokeLocked() {
	for _, q := range t.queue {
		select {
		case q <- struct{}{}:
		default: // woken already
		}
	}
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

// idle gives an open turn back to the reader goroutine if no caller read
// since the last check.
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
// ending. A caller reading is cut short, and queued callers are woken
// without the turn; they wait for the reader goroutine instead.
func (t *turn) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ending = true
	t.pokeLocked()
	switch t.holder {
	case turnOpen:
		t.toReaderLocked()
	case turnCaller:
		t.interruptLocked()
	}
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
	t.interruptLocked()
	t.mu.Unlock()
}

func (t *turn) interruptLocked() {
	if t.holder == turnCaller {
		t.interrupted = true
		_ = t.c.nc.SetReadDeadline(time.Unix(1, 0))
	}
}

// Await waits for something only a frame from the peer brings, or the
// connection's end: check reports without waiting whether it has come, and
// wait waits for it and returns what check would. A layer above conn that
// waits for such a thing calls Await rather than wait, so that on a
// rendezvous connection the waiting goroutine reads the frames itself; on
// other connections Await is wait.
func (c *Conn) Await(ctx context.Context, check func() (done bool, err error), wait func() error) error {
	if !c.turn.onDemand {
		return wait()
	}
	held, done, err := c.takeTurn(ctx, check)
	fresh := true // no frame read since the turn was taken
	for {
		if done || err != nil {
			return err
		}
		if !held {
			return wait() // the connection is ending
		}
		// Checked with the turn held: no frame can arrive unseen between
		// the check and the read.
		if done, err := check(); done || err != nil {
			c.releaseTurn(nil)
			return err
		}
		if ctx.Err() != nil {
			c.releaseTurn(nil)
			return context.Cause(ctx)
		}
		if !fresh && c.turn.wanted() {
			// Others wait for the frames this caller reads: after a frame
			// each, so that every caller checks what the last one brought.
			c.releaseTurn(nil)
			held, done, err = c.takeTurn(ctx, check)
			fresh = true
			continue
		}
		// Acknowledgements this goroutine owes go out before it waits:
		// see creditor.
		c.w.flushNow()
		timedOut, rerr := c.readFrame()
		if rerr != nil && !timedOut {
			c.fail(rerr)
			c.releaseTurn(rerr)
			held = false
			continue
		}
		fresh = false
		if c.turn.afterRead(timedOut) && ctx.Err() != nil {
			c.releaseTurn(nil)
			return context.Cause(ctx)
		}
		// A read cut short otherwise came from the connection ending,
		// which wanted reports, or from the watch of an earlier context:
		// the caller reads again.
	}
}

// wanted reports whether a caller holding the turn should hand it on.
func (t *turn) wanted() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ending || t.waiting > 0 || len(t.queue) > 0
}

// afterRead follows a caller's read. It puts back the read deadline an
// interruption changed, and reports timedOut.
func (t *turn) afterRead(timedOut bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !timedOut {
		t.reads++
	}
	if t.interrupted {
		t.interrupted = false
		_ = t.c.nc.SetReadDeadline(t.base)
	}
	return timedOut
}

// waitOnReader waits with wait for something that may also come from this
// end, such as room freed by a cancelled send: a goroutine blocked in a
// read would miss it. The reader goroutine reads for it meanwhile.
func (c *Conn) waitOnReader(wait func() error) error {
	t := &c.turn
	if !t.onDemand {
		return wait()
	}
	t.mu.Lock()
	t.waiting++
	if t.holder == turnOpen {
		t.toReaderLocked()
	}
	t.mu.Unlock()
	c.w.flushNow()
	defer func() {
		t.mu.Lock()
		t.waiting--
		t.mu.Unlock()
	}()
	return wait()
}

// takeTurn takes the turn, queuing for it if another holds it. Queued, the
// caller checks with check, after queuing and whenever a frame was
// handled, and reports done, with check's error, once check does: it then
// holds no turn. takeTurn reports held false, and no error, once the
// connection is ending, and ctx's cause if ctx ends first.
func (c *Conn) takeTurn(ctx context.Context, check func() (bool, error)) (held, done bool, err error) {
	t := &c.turn
	t.mu.Lock()
	if t.ending {
		t.mu.Unlock()
		return false, false, nil
	}
	if t.holder == turnOpen {
		t.holder = turnCaller
		t.watchLocked(ctx)
		t.mu.Unlock()
		return true, false, nil
	}
	ch := handovers.Get().(chan struct{})
	t.queue = append(t.queue, ch)
	t.mu.Unlock()
	// Acknowledgements this goroutine owes go out before it waits: see
	// creditor.
	c.w.flushNow()
	for {
		// A frame handled before this caller queued may have been its own.
		done, err = check()
		if !done && err == nil {
			select {
			case <-ch:
			case <-ctx.Done():
				err = context.Cause(ctx)
			}
		}
		t.mu.Lock()
		granted := t.granted == ch
		if granted {
			t.granted = nil
		}
		if !granted && !done && err == nil && !t.ending {
			t.mu.Unlock()
			continue // woken to check again
		}
		t.queue = slices.DeleteFunc(t.queue, func(q chan struct{}) bool { return q == ch })
		select {
		case <-ch: // a wake-up not waited for
		default:
		}
		handovers.Put(ch)
		if granted && !done && err == nil {
			t.watchLocked(ctx)
			t.mu.Unlock()
			return true, false, nil
		}
		t.mu.Unlock()
		if granted {
			c.releaseTurn(nil) // not needed after all: on to the next
		}
		return false, done, err
	}
}

// handovers recycles the channels callers queue for the turn with; they
// are empty when put back.
var handovers = gosync.Pool{New: func() any { return make(chan struct{}, 1) }}

// releaseTurn gives up a caller's turn: to a queued caller, or the next to
// come, or to the reader goroutine if it is to read for waiting callers,
// if the connection is ending, or if the caller's read failed with
// failure.
func (c *Conn) releaseTurn(failure error) {
	t := &c.turn
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.interrupted {
		t.interrupted = false
		_ = c.nc.SetReadDeadline(t.base)
	}
	switch {
	case failure != nil:
		t.failed = true
		t.toReaderLocked()
	case t.ending || t.waiting > 0:
		t.pokeLocked()
		t.toReaderLocked()
	case t.passLocked():
	default:
		t.holder = turnOpen
		t.armLocked()
	}
}
