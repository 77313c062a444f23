package conn

import (
	gosync "sync"
	"time"
)

// creditBackstop bounds how long a credit may wait to be sent. It only
// matters when a program stops receiving while values are still queued for
// it: the values it did take must still free its peer's sender.
const creditBackstop = 500 * time.Microsecond

// creditor decides when the credits a stream's program freed are sent.
//
// Sending one credit frame per value taken costs a frame, a write and a
// wake-up of the peer's sender per value. Credits are therefore sent in
// groups of a quarter window, and at once whenever the program has taken
// every value that arrived: it is about to wait, and the peer's sender may
// be waiting too. A timer sends what is left otherwise, so no sender waits
// longer than creditBackstop for a value its peer's program received.
//
// On a rendezvous connection each credit is the acknowledgement a sender
// waits for, and is sent lazily: with the next frame this end writes, or
// before the goroutine that took the value waits for the connection
// again, whichever comes first. A program that receives, then sends, sends
// one write for both, and one that receives in a loop acknowledges as it
// comes back for the next value. The timer bounds the wait of a sender
// whose peer's program received and then turned to other work.
type creditor struct {
	s       *Stream
	flushAt uint64
	lazy    bool

	mu      gosync.Mutex
	pending uint64
	timer   *time.Timer
	armed   bool
	stopped bool
}

func (c *creditor) init(s *Stream, window int, lazy bool) {
	c.s = s
	c.flushAt = uint64(max(1, window/4))
	c.lazy = lazy
}

// take counts n values the program took; drained says none waits to be
// taken.
func (c *creditor) take(n uint64, drained bool) {
	if c.lazy {
		// Into the writer first, then the timer: a timer that fires in
		// between finds the credit there, and one armed before it is
		// armed again.
		c.s.c.w.grant(c.s.id, n, true)
		c.mu.Lock()
		c.armLocked()
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	c.pending += n
	if c.pending < c.flushAt && !drained {
		c.armLocked()
		c.mu.Unlock()
		return
	}
	n = c.pending
	c.pending = 0
	c.mu.Unlock()
	c.s.c.w.grant(c.s.id, n, false)
}

func (c *creditor) armLocked() {
	if c.armed || c.stopped {
		return
	}
	c.armed = true
	if c.timer == nil {
		c.timer = time.AfterFunc(creditBackstop, c.flush)
	} else {
		c.timer.Reset(creditBackstop)
	}
}

// flush sends whatever is pending; the backstop timer calls it.
func (c *creditor) flush() {
	c.mu.Lock()
	c.armed = false
	n := c.pending
	c.pending = 0
	c.mu.Unlock()
	if n > 0 {
		c.s.c.w.grant(c.s.id, n, false)
	} else if c.lazy {
		c.s.c.w.flushNow()
	}
}

// stop disarms the timer for good, once the connection has ended.
func (c *creditor) stop() {
	c.mu.Lock()
	c.stopped = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
}
