package endpoint

import (
	"cmp"
	"context"
	gosync "sync"
	"sync/atomic"

	"github.com/netchan/netchan/conn"
	nsync "github.com/netchan/netchan/sync"
)

// Dispatcher hands the values a program sends on one channel to many
// Conns, each value to one of them, as a Go channel hands each value to
// one of the goroutines receiving from it. Each Conn takes its values
// from a lane, a small buffered channel of its own, with its SendFrom.
//
// Conns whose SendFrom all receive from the one channel get its values
// one at a time, each to the connection whose goroutine waited longest:
// values spread one by one over every connection, so that each writes
// them to the network, and each peer reads and hands them on, one or two
// at a time. The Dispatcher alone receives from the channel, and fills
// one lane at a time while it has room: a connection gets its values in
// groups, and its peer too.
//
// The capacity stays exact. A lane's values count against its Conn's
// window: SendFrom keeps room in the window for its channel's buffer
// (sync.Sender.Hold), and the Dispatcher receives a value only for a lane
// with room, so that no value it took waits outside a window. A channel
// send completes, as before, exactly while some connection has room.
//
// A Conn whose lane would have no buffer, with a window too small to keep
// room in, takes its values from the channel itself with SendFrom, beside
// the Dispatcher.
//
// Run runs once; Add and Lane.Stop may be called from any goroutine,
// before Run or while it runs.
type Dispatcher[T any] struct {
	ch          <-chan T
	undelivered func(v T, cause error)

	mu     gosync.Mutex // serialises changes to lanes, and closed
	lanes  atomic.Pointer[[]*Lane[T]]
	closed bool // ch was closed: lanes added since start closed

	waiting atomic.Bool   // Run waits for a lane with room
	room    chan struct{} // capacity 1: wakes Run while waiting
}

// NewDispatcher returns a Dispatcher of the values sent on ch. Run calls
// undelivered with a value it took and no lane has room for, and why: a
// lane's connection stopped just as Run handed it the value, or ctx ended.
func NewDispatcher[T any](ch <-chan T, undelivered func(v T, cause error)) *Dispatcher[T] {
	d := &Dispatcher[T]{ch: ch, undelivered: undelivered, room: make(chan struct{}, 1)}
	d.lanes.Store(new([]*Lane[T]))
	return d
}

// Lane is a Conn's share of a Dispatcher's values.
type Lane[T any] struct {
	ch chan T
	c  *Conn[T]
	d  *Dispatcher[T]

	taken atomic.Int64 // values the Conn took from ch
	put   int64        // values Run put in ch; Run's alone

	mu   gosync.Mutex // orders Run's puts with Stop
	gone atomic.Bool  // set under mu
}

// Add gives c a lane of size values and returns it: c sends its values
// with SendFrom(ctx, l.C()), and calls Stop once it no longer does. The
// size is at most the room SendFrom keeps, sync.MaxHold of c's window.
// Add returns nil if that leaves no room: c then takes its values from the
// Dispatcher's channel itself.
func (d *Dispatcher[T]) Add(c *Conn[T], size int) *Lane[T] {
	size = min(size, nsync.MaxHold(max(c.Capacity(), 1)))
	if size <= 0 {
		return nil
	}
	l := &Lane[T]{ch: make(chan T, size), c: c, d: d}
	c.lane = l
	d.mu.Lock()
	if d.closed {
		close(l.ch)
	} else {
		lanes := append(append([]*Lane[T](nil), *d.lanes.Load()...), l)
		d.lanes.Store(&lanes)
	}
	d.mu.Unlock()
	d.wake()
	return l
}

// C returns the channel the lane's Conn sends from.
func (l *Lane[T]) C() <-chan T { return l.ch }

// Stop ends the lane: the Dispatcher hands it no more values. It returns
// those it had handed it and the Conn did not take, in order.
func (l *Lane[T]) Stop() []T {
	l.mu.Lock()
	l.gone.Store(true)
	l.mu.Unlock()
	d := l.d
	d.mu.Lock()
	lanes := make([]*Lane[T], 0, len(*d.lanes.Load()))
	for _, o := range *d.lanes.Load() {
		if o != l {
			lanes = append(lanes, o)
		}
	}
	d.lanes.Store(&lanes)
	d.mu.Unlock()
	var left []T
	for {
		select {
		case v, ok := <-l.ch:
			if !ok {
				return left
			}
			left = append(left, v)
		default:
			return left
		}
	}
}

// took tells c's Dispatcher lane, if it sends from one, that it took n
// values from it.
func (c *Conn[T]) took(n int) {
	if c.lane != nil && n > 0 {
		c.lane.took(n)
	}
}

// took records that the lane's Conn took n values from it, and wakes Run if
// it waits for room.
func (l *Lane[T]) took(n int) {
	l.taken.Add(int64(n))
	if l.d.waiting.Load() {
		l.d.wake()
	}
}

// hasRoom reports whether Run may put one more value in l: its Conn took
// all but fewer than its size of those Run put.
func (l *Lane[T]) hasRoom() bool { return l.put-l.taken.Load() < int64(cap(l.ch)) }

func (d *Dispatcher[T]) wake() {
	select {
	case d.room <- struct{}{}:
	default:
	}
}

// Run hands values to the lanes until ctx ends or the channel is closed;
// then it closes every lane, and those added later start closed. It keeps
// to one lane while that has room, then goes on to the next, and receives
// from the channel only while some lane has room.
//
// When ctx ends, Run still hands over what the program sent before, as
// SendFrom does: a close of the channel, and the values of senders already
// waiting, while the lanes have room. The Conns' SendFrom must go on until
// Run returned, so that they send those too.
func (d *Dispatcher[T]) Run(ctx context.Context) {
	var cur *Lane[T]
	for {
		l := d.pick(cur)
		if l == nil {
			if !d.await(ctx) {
				d.finish(context.Cause(ctx))
				return
			}
			continue
		}
		cur = l
		select {
		case v, ok := <-d.ch:
			if !ok {
				d.close()
				return
			}
			d.hand(l, v)
		case <-l.c.c.Ending():
			// A connection that is ending must not be handed a value:
			// it could not send it, while another might.
		case <-ctx.Done():
			d.finish(context.Cause(ctx))
			return
		}
	}
}

// finish hands over, without waiting, what the program sent before ctx
// ended: values while a lane has room for them, one more that none has room
// for, reported undelivered, and a close. It takes at most as many values
// as the lanes hold, and one: the Conns still send, and a program that
// goes on sending must not keep it for ever. With no lane it takes
// nothing: the Conns that take values themselves would send those after
// it, and a value it reported undelivered would be missing between them.
func (d *Dispatcher[T]) finish(cause error) {
	lanes := *d.lanes.Load()
	if len(lanes) == 0 {
		return
	}
	n := 1
	for _, l := range lanes {
		n += cap(l.ch)
	}
	for range n {
		select {
		case v, ok := <-d.ch:
			if !ok {
				d.close()
				return
			}
			l := d.pick(nil)
			if l == nil {
				d.undelivered(v, cause)
				return
			}
			d.hand(l, v)
		default:
			return
		}
	}
}

// pick returns a lane with room whose connection is not ending: cur if it
// is one, or else the next after it that is; nil if none is.
func (d *Dispatcher[T]) pick(cur *Lane[T]) *Lane[T] {
	if cur != nil && usable(cur) {
		return cur
	}
	lanes := *d.lanes.Load()
	start := 0
	for i, l := range lanes {
		if l == cur {
			start = i + 1
			break
		}
	}
	for i := range lanes {
		if l := lanes[(start+i)%len(lanes)]; usable(l) {
			return l
		}
	}
	return nil
}

func usable[T any](l *Lane[T]) bool {
	if !l.hasRoom() || l.gone.Load() {
		return false
	}
	select {
	case <-l.c.c.Ending():
		return false
	default:
		return true
	}
}

// await waits until a lane may have room; it reports false if ctx ended.
func (d *Dispatcher[T]) await(ctx context.Context) bool {
	d.waiting.Store(true)
	defer d.waiting.Store(false)
	// A lane that gained room before waiting was set did not wake Run.
	if d.pick(nil) != nil {
		return true
	}
	select {
	case <-d.room:
		return true
	case <-ctx.Done():
		return false
	}
}

// hand puts v in l, or in another lane with room if l stopped since Run
// picked it. If none has room, v is undelivered: Run must not hold a value
// no window counts.
func (d *Dispatcher[T]) hand(l *Lane[T], v T) {
	for try := l; try != nil; try = d.pick(nil) {
		if try.put1(v) {
			return
		}
	}
	d.undelivered(v, cmp.Or(l.c.Err(), conn.ErrClosed))
}

// put1 puts v in l unless l stopped. It never waits: only Run puts values
// in, and only in a lane with room.
func (l *Lane[T]) put1(v T) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gone.Load() {
		return false
	}
	l.ch <- v
	l.put++
	return true
}

// close closes every lane, once the channel was closed.
func (d *Dispatcher[T]) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	for _, l := range *d.lanes.Load() {
		l.mu.Lock()
		if !l.gone.Load() {
			close(l.ch)
		}
		l.mu.Unlock()
	}
}
