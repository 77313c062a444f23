package conn

import (
	"fmt"
	gosync "sync"
	"time"
)

// minKeepalive bounds how often a peer can make this end send pings.
const minKeepalive = 100 * time.Millisecond

// watchdog ends a connection on which nothing arrived for the idle timeout,
// and asks for a ping when this end wrote nothing for a third of the
// peer's. It runs on a timer, not a goroutine, and costs the data path one
// atomic add per frame read and per batch written.
type watchdog struct {
	s     *Session
	c     *carrier
	tick  time.Duration
	ping  time.Duration // the peer's idle timeout / 3; 0: no pings
	idle  time.Duration // this end's idle timeout; 0: none
	timer *time.Timer

	mu        gosync.Mutex
	stopped   bool
	lastRead  uint64
	quietRead time.Duration
	lastWrite uint64
	quietPing time.Duration
}

// startWatchdog arms a watchdog on c if either end has an idle timeout.
func startWatchdog(s *Session, c *carrier) *watchdog {
	d := &watchdog{s: s, c: c, idle: s.cfg.IdleTimeout}
	if s.peer.Idle > 0 {
		d.ping = max(time.Duration(s.peer.Idle)*time.Millisecond/3, minKeepalive)
	}
	for _, t := range []time.Duration{d.ping, d.idle / 3} {
		if t > 0 && (d.tick == 0 || t < d.tick) {
			d.tick = t
		}
	}
	if d.tick == 0 {
		return nil
	}
	d.mu.Lock()
	d.timer = time.AfterFunc(d.tick, d.check)
	d.mu.Unlock()
	return d
}

func (d *watchdog) check() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	if r := d.c.reads.Load(); r != d.lastRead {
		d.lastRead, d.quietRead = r, 0
	} else {
		d.quietRead += d.tick
	}
	if d.idle > 0 && d.quietRead >= d.idle {
		d.c.fail(fmt.Errorf("%w: %w", ErrConnLost, &timeoutError{fmt.Sprintf("idle connection (nothing arrived for %v)", d.idle)}))
		return
	}
	if w := d.c.writes.Load(); w != d.lastWrite {
		d.lastWrite, d.quietPing = w, 0
	} else {
		d.quietPing += d.tick
	}
	if d.ping > 0 && d.quietPing >= d.ping {
		d.s.mu.Lock()
		d.s.pingDue = true
		d.s.mu.Unlock()
		d.s.signal()
		d.quietPing = 0
	}
	d.timer.Reset(d.tick)
}

func (d *watchdog) stop() {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.stopped = true
	d.timer.Stop()
	d.mu.Unlock()
}
