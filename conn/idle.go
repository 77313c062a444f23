package conn

import (
	"fmt"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// minKeepalive bounds how often a peer can make this end send pings.
const minKeepalive = 100 * time.Millisecond

// watchdog ends a connection on which nothing arrived for the idle timeout,
// and sends a ping when this end wrote nothing for a third of the peer's.
// It runs on a timer, not a goroutine, and costs the data path one atomic
// add per frame read and per batch written (the writer counts those).
type watchdog struct {
	c     *Conn
	tick  time.Duration
	reads atomic.Uint64 // frames read

	mu        gosync.Mutex
	timer     *time.Timer
	stopped   bool
	lastRead  uint64
	quietRead time.Duration
	lastWrite uint64
	quietPing time.Duration
	ping      time.Duration // the peer's idle timeout / 3; 0: no pings
	idle      time.Duration // this end's idle timeout; 0: none
}

// startWatchdog arms the watchdog if either end has an idle timeout.
func (c *Conn) startWatchdog() {
	d := &watchdog{c: c, idle: c.cfg.IdleTimeout}
	if c.peer.Idle > 0 {
		d.ping = max(time.Duration(c.peer.Idle)*time.Millisecond/3, minKeepalive)
	}
	ticks := []time.Duration{}
	for _, t := range []time.Duration{d.ping, d.idle / 3} {
		if t > 0 {
			ticks = append(ticks, t)
		}
	}
	if len(ticks) == 0 {
		return
	}
	d.tick = ticks[0]
	for _, t := range ticks[1:] {
		d.tick = min(d.tick, t)
	}
	c.dog = d
	d.mu.Lock()
	d.timer = time.AfterFunc(d.tick, d.check)
	d.mu.Unlock()
}

func (d *watchdog) check() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	if r := d.reads.Load(); r != d.lastRead {
		d.lastRead, d.quietRead = r, 0
	} else {
		d.quietRead += d.tick
	}
	if d.idle > 0 && d.quietRead >= d.idle {
		d.c.fail(fmt.Errorf("%w: %w", ErrConnLost, &timeoutError{fmt.Sprintf("idle connection (nothing arrived for %v)", d.idle)}))
		return
	}
	if w := d.c.w.batches.Load(); w != d.lastWrite {
		d.lastWrite, d.quietPing = w, 0
	} else {
		d.quietPing += d.tick
	}
	if d.ping > 0 && d.quietPing >= d.ping {
		d.c.w.ping()
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

// ping queues a ping frame unless frames are queued already.
func (w *writer) ping() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closing || len(w.queue) > 0 {
		return
	}
	w.queue = wire.AppendHeader(w.queue, wire.Header{Kind: wire.KindPing})
	w.signal()
}
