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
// With a window of one (rendezvous), every credit is sent at once, since
// it is the acknowledgement a sender waits for.
type creditor struct {
	s       *Stream
	flushAt uint64

	mu      gosync.Mutex
	pending uint64
	timer   *time.Timer
	armed   bool
	stopped bool
}

func (c *creditor) init(s *Stream, window int) {
	c.s = s
	c.flushAt = uint64(max(1, window/4))
}

// take counts one value the program took; drained says none is queued.
func (c *creditor) take(drained bool) {
	c.mu.Lock()
	c.pending++
	if c.pending < c.flushAt && !drained {
		if !c.armed && !c.stopped {
			c.armed = true
			if c.timer == nil {
				c.timer = time.AfterFunc(creditBackstop, c.flush)
			} else {
				c.timer.Reset(creditBackstop)
			}
		}
		c.mu.Unlock()
		return
	}
	n := c.pending
	c.pending = 0
	c.mu.Unlock()
	c.s.c.w.grant(c.s.id, n)
}

// flush sends whatever is pending; the backstop timer calls it.
func (c *creditor) flush() {
	c.mu.Lock()
	c.armed = false
	n := c.pending
	c.pending = 0
	c.mu.Unlock()
	if n > 0 {
		c.s.c.w.grant(c.s.id, n)
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
