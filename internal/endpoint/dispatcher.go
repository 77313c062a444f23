package endpoint

import (
	"context"
	gosync "sync"
	"sync/atomic"
)

// Dispatcher hands the values a program sends on one channel to many
// Conns, each value to one of them, as a Go channel hands each value to
// one of the goroutines receiving from it. Each Conn sends the values of a
// lane, a small buffered channel of its own, with SendLane.
//
// Had every Conn received from the program's channel itself, values would
// spread one by one over the connections, each writing them to the network
// one or two at a time, and each peer reading them so. The Dispatcher
// alone receives from the channel, and fills one lane at a time while it
// has room: a connection gets its values in groups, and its peer too.
//
// The capacity stays exact: the Dispatcher receives a value only once a
// lane's Conn reserved room for it in its window, so every value it took
// counts against one connection's capacity, and a send on the channel
// completes exactly while some connection has room.
//
// A Conn that leaves gives back, with GiveBack, the values its peer's
// program had not taken and those still in its lane: they go in front of
// the queue, in order, and on to the other Conns, as a Go channel keeps
// unreceived values for its other receivers. Those wait outside every
// window until a lane has room.
//
// Run runs once; Add, GiveBack and Lane.Stop may be called from any
// goroutine, before Run or while it runs.
type Dispatcher[T any] struct {
	ch          <-chan T
	undelivered func(v T, cause error)
	waiting     atomic.Bool   // Run waits for room or for values given back
	wake        chan struct{} // capacity 1: wakes Run while it waits
	hasBack     atomic.Bool   // back holds values; set under mu

	mu      gosync.Mutex
	lanes   []*Lane[T]
	back    []T  // values given back, handed out before the channel's
	closed  bool // the channel was closed and every lane then: lanes added since start closed
	stopped bool // Run returned: values given back go nowhere
}

// NewDispatcher returns a Dispatcher of the values sent on ch. It calls
// undelivered with a value that can go to no Conn, and why: one given back
// once Run returned or as ctx ended, or taken from the channel as ctx ended
// with no lane having room for it.
func NewDispatcher[T any](ch <-chan T, undelivered func(v T, cause error)) *Dispatcher[T] {
	return &Dispatcher[T]{ch: ch, undelivered: undelivered, wake: make(chan struct{}, 1)}
}

// GiveBack puts vs, values a Conn that left could not deliver, in front of
// the queue, in order. Once Run has returned, no Conn will take them: each
// is undelivered with cause.
func (d *Dispatcher[T]) GiveBack(vs []T, cause error) {
	if len(vs) == 0 {
		return
	}
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		for _, v := range vs {
			d.undelivered(v, cause)
		}
		return
	}
	d.back = append(vs[:len(vs):len(vs)], d.back...)
	d.hasBack.Store(true)
	d.mu.Unlock()
	d.signal()
}

// roomMaybe wakes Run if it waits: a lane may have room.
func (d *Dispatcher[T]) roomMaybe() {
	if d.waiting.Load() {
		d.signal()
	}
}

func (d *Dispatcher[T]) signal() { signal(d.wake) }

// Run hands values to the lanes, those given back first, until ctx ends
// or the channel is closed and every value given back was handed out; then
// it closes every lane, and those added later start closed. It keeps to
// one lane while that has room, then goes on to the next, and receives
// from the channel only with room reserved for the value.
//
// When ctx ends, Run still hands over what the program sent before, as
// SendFrom does: a close of the channel, and the values of senders already
// waiting, while the lanes have room; values given back are undelivered.
// The Conns' SendLane must go on until Run returned, so that they send
// those too.
func (d *Dispatcher[T]) Run(ctx context.Context) {
	var h hold[T]    // room Run reserved in a lane
	drained := false // the channel was closed
	defer func() {
		h.release()
		d.stop(context.Cause(ctx), drained)
	}()
	for {
		waiting := false
		if h.n == 0 || drained || d.hasBack.Load() {
			waiting = d.handBack(&h)
		}
		if h.n == 0 || drained {
			h.release()
			if drained && !waiting {
				return
			}
			if !d.await(ctx, &h) {
				d.finish(context.Cause(ctx))
				return
			}
			continue
		}
		select {
		case v, ok := <-d.ch:
			if !ok {
				drained = true
				continue
			}
			drained = d.putReady(&h, v)
		case <-d.wake: // values given back, or a new lane: look again
		case <-h.l.c.c.Ending():
			// A connection that is ending must not be handed a value:
			// it could not send it, while another might.
			h.release()
		case <-ctx.Done():
			h.release()
			d.finish(context.Cause(ctx))
			return
		}
	}
}

// hold is room Run reserved for n values in l's window, and in l.
type hold[T any] struct {
	l *Lane[T]
	n int
}

// release gives back the room held.
func (h *hold[T]) release() {
	if h.n > 0 {
		h.l.c.s.CancelN(h.n)
		h.n = 0
	}
}

// handBack hands out the values given back while lanes have room, and
// reserves room for the next value if h has none. It reports whether
// values given back still wait.
func (d *Dispatcher[T]) handBack(h *hold[T]) (waiting bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var zero T
	for len(d.back) > 0 {
		if h.n == 0 && !d.reserveLocked(h) {
			return true
		}
		v := d.back[0]
		d.back[0] = zero
		d.back = d.back[1:]
		d.putLocked(h, v)
	}
	d.hasBack.Store(false)
	if h.n == 0 {
		d.reserveLocked(h)
	}
	return false
}

// reserveLocked reserves room in a lane for as many values as it has room
// for, up to its size: in h's lane if it has some, or else in the next after
// it that has. It reports false if none has.
func (d *Dispatcher[T]) reserveLocked(h *hold[T]) bool {
	h.release()
	start := 0
	for i, l := range d.lanes {
		if l == h.l {
			start = i
			break
		}
	}
	for i := range d.lanes {
		l := d.lanes[(start+i)%len(d.lanes)]
		if free := cap(l.ch) - len(l.ch); free > 0 {
			if n := l.c.s.TryReserveN(free); n > 0 {
				h.l, h.n = l, n
				return true
			}
		}
	}
	return false
}

// await waits until a lane may have room or values came back, and reserves
// room if a lane has some; it reports false if ctx ended.
func (d *Dispatcher[T]) await(ctx context.Context, h *hold[T]) bool {
	d.waiting.Store(true)
	defer d.waiting.Store(false)
	// A lane that gained room before waiting was set did not wake Run.
	d.mu.Lock()
	ok := d.reserveLocked(h)
	d.mu.Unlock()
	if ok {
		return true
	}
	select {
	case <-d.wake:
		return true
	case <-ctx.Done():
		return false
	}
}

// putReady puts v, for which h holds room, in h's lane, and after it the
// values already waiting in the channel while h holds room for them: a
// receive that does not wait locks one channel, where Run's select locks
// four. It reports whether it found the channel closed.
func (d *Dispatcher[T]) putReady(h *hold[T], v T) (drained bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.putLocked(h, v)
	for h.n > 0 {
		select {
		case v, ok := <-d.ch:
			if !ok {
				return true
			}
			d.putLocked(h, v)
		default:
			return false
		}
	}
	return false
}

// putLocked puts v in h's lane, spending the room held for it; or, if the
// lane stopped since, in another lane with room. If none has room, v goes
// back in the queue, behind what was given back: those values were sent
// before it.
func (d *Dispatcher[T]) putLocked(h *hold[T], v T) {
	if h.l.gone {
		h.release()
		if !d.reserveLocked(h) {
			d.back = append(d.back, v)
			d.hasBack.Store(true)
			return
		}
	}
	h.l.ch <- v // never waits: room was kept for it, and only Run fills a lane
	h.n--
}

// finish hands over, without waiting, what the program sent before ctx
// ended: values while a lane has room for them, one more that none has
// room for, reported undelivered, and a close. It takes at most as many
// values as the lanes hold, and one: the Conns still send, and a program
// that goes on sending must not keep it for ever.
func (d *Dispatcher[T]) finish(cause error) {
	d.mu.Lock()
	n := 1
	for _, l := range d.lanes {
		n += cap(l.ch)
	}
	d.mu.Unlock()
	var h hold[T]
	defer h.release()
	for range n {
		select {
		case v, ok := <-d.ch:
			if !ok {
				d.closeLanes()
				return
			}
			d.mu.Lock()
			ok = h.n > 0 || d.reserveLocked(&h)
			if ok {
				d.putLocked(&h, v)
			}
			d.mu.Unlock()
			if !ok {
				d.undelivered(v, cause)
				return
			}
		default:
			return
		}
	}
}

// stop ends Run, once the channel was drained and what was given back
// handed out, or ctx ended with cause. Values given back from then on can
// go to no Conn. With the channel drained, the lanes close.
func (d *Dispatcher[T]) stop(cause error, drained bool) {
	d.mu.Lock()
	d.stopped = true
	back := d.back
	d.back = nil
	d.mu.Unlock()
	for _, v := range back {
		d.undelivered(v, cause)
	}
	if drained {
		d.closeLanes()
	}
}

// closeLanes closes every lane, once the channel was closed.
func (d *Dispatcher[T]) closeLanes() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.closed = true
	for _, l := range d.lanes {
		close(l.ch)
	}
}
