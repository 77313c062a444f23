package endpoint

import (
	"context"
	"errors"
	"fmt"
	"time"

	nsync "github.com/netchan/netchan/sync"
)

// ErrStalled: a client of a broadcast listener had no room for the next
// value, and neither its connection nor its program took any of the values
// waiting for it for the stall timeout, so its session was ended; the
// error is a *StallError.
var ErrStalled = errors.New("netchan: client stalled")

// StallError reports a client a broadcast listener cut because it held
// the others back: it had no room for the next value, and neither its
// connection nor its program took any of the values waiting for it for
// Timeout. Values counts the values given to it that it did not take,
// which go nowhere.
type StallError struct {
	Addr    string        // the client's address
	Values  int           // values it did not take
	Timeout time.Duration // the stall timeout
}

func (e *StallError) Error() string {
	return fmt.Sprintf("netchan: client %s stalled: it took no value for %v and had no room for the next; cut, %d values not taken",
		e.Addr, e.Timeout, e.Values)
}

// Unwrap returns ErrStalled.
func (e *StallError) Unwrap() error { return ErrStalled }

// ready reserves room for the next value in every Feed, waiting while one
// has none, and reports true once every Feed has room and there is one at
// least whose Conn is not ending; false if ctx ended. While it waits, it
// cuts each Feed that has stalled for the stall timeout (see lacking).
func (b *Broadcaster[T]) ready(ctx context.Context, timer *time.Timer) bool {
	for {
		b.waiting.Store(true)
		// A Feed that gained room before waiting was set did not wake Run,
		// so look after setting it.
		next, stalled, ok := b.lacking()
		if ok {
			b.waiting.Store(false)
			return true
		}
		if len(stalled) > 0 {
			for _, f := range stalled {
				b.cut(f)
			}
			continue
		}
		var expired <-chan time.Time
		if next > 0 {
			timer.Reset(next)
			expired = timer.C
		}
		select {
		case <-b.wake:
		case <-expired:
		case <-ctx.Done():
			b.waiting.Store(false)
			return false
		}
		timer.Stop()
	}
}

// lacking reserves room where it can, and reports ok if every Feed has
// some, and one at least whose Conn is not ending: a value given only to
// those that are would go nowhere. Otherwise it returns the Feeds stalled
// for the stall timeout, and how long until the next of the others would
// be.
//
// A Feed without room stalls while values wait for its client: values Run
// gave it that its Conn has not queued, which a connection that no longer
// writes keeps; or values sent that the client has not taken, beyond what
// a receiver may keep uncredited for its receive buffer. A client with
// none has taken everything it can, and waits: it is never cut. The clock
// runs from the last moment the Feed moved: a value given, taken by its
// Conn, or credited.
func (b *Broadcaster[T]) lacking() (next time.Duration, stalled []*Feed[T], ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var now time.Duration // read once needed
	live, short := false, false
	for _, f := range b.feeds {
		if f.held > 0 || b.reserveLocked(f) {
			live = live || !f.ending()
			continue
		}
		if f.ending() {
			continue
		}
		short = true
		if f.unsent() == 0 && f.c.Unacknowledged() <= nsync.MaxHold(max(f.c.Capacity(), 1)) {
			continue
		}
		if now == 0 {
			now = time.Since(b.epoch)
			if b.fresh {
				b.given, b.fresh = now, false
			}
		}
		if wait := f.lastMoved() + b.stall - now; wait <= 0 {
			stalled = append(stalled, f)
		} else if next == 0 || wait < next {
			next = wait
		}
	}
	return next, stalled, live && !short
}

// cut ends the session of a stalled Feed's Conn, which does not resume,
// with a *StallError that its serving reports. What the Feed held goes
// nowhere.
func (b *Broadcaster[T]) cut(f *Feed[T]) {
	b.mu.Lock()
	if f.gone {
		b.mu.Unlock()
		return
	}
	err := &StallError{
		Addr:    f.c.RemoteAddr().String(),
		Values:  f.c.Unacknowledged() + f.unsent(),
		Timeout: b.stall,
	}
	b.removeLocked(f)
	b.mu.Unlock()
	f.c.c.Abort(err)
}

// unsent returns how many values Run gave f that its Conn has not queued.
func (f *Feed[T]) unsent() int { return int(f.b.head.Load() - f.queued.Load()) }
