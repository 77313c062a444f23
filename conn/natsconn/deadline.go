package natsconn

import (
	"sync"
	"time"
)

// deadline is one direction's deadline: a channel that is closed once it
// has passed, so that a waiting Read or Write can select on it. Setting a
// new deadline while one waits takes effect at once, as net.Conn requires.
type deadline struct {
	mu     sync.Mutex
	timer  *time.Timer
	gen    uint64 // counts sets, so that a stale timer closes nothing
	passed chan struct{}
	closed bool // passed is closed
}

// set makes t the deadline; the zero time means none.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.gen++
	if d.passed == nil || d.closed {
		d.passed, d.closed = make(chan struct{}), false
	}
	switch wait := time.Until(t); {
	case t.IsZero():
	case wait <= 0:
		close(d.passed)
		d.closed = true
	default:
		gen := d.gen
		d.timer = time.AfterFunc(wait, func() {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.gen == gen && !d.closed {
				close(d.passed)
				d.closed = true
			}
		})
	}
}

// wait returns a channel that is closed when the deadline passes.
func (d *deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.passed == nil {
		d.passed = make(chan struct{})
	}
	return d.passed
}

// expired reports whether the deadline has passed.
func (d *deadline) expired() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// stop releases the timer.
func (d *deadline) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.gen++
}
