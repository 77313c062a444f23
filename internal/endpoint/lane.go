package endpoint

import (
	"context"
	"slices"
)

// Lane is a Conn's share of a Dispatcher's values: each value in it holds
// a reservation of room in the Conn's window.
type Lane[T any] struct {
	ch   chan T
	c    *Conn[T]
	d    *Dispatcher[T]
	gone bool // Stop was called; guarded by d.mu
}

// Add gives c a lane of size values, at least one, and returns it: c sends
// its values with SendLane, and calls Stop once it no longer does.
func (d *Dispatcher[T]) Add(c *Conn[T], size int) *Lane[T] {
	l := &Lane[T]{ch: make(chan T, max(size, 1)), c: c, d: d}
	c.lane = l
	d.mu.Lock()
	if d.closed {
		close(l.ch)
	} else {
		d.lanes = append(d.lanes, l)
	}
	d.mu.Unlock()
	d.signal()
	return l
}

// Stop ends the lane: the Dispatcher hands it no more values. It returns
// those it had handed it and the Conn did not take, in order, and gives
// back their reservations.
func (l *Lane[T]) Stop() []T {
	d := l.d
	d.mu.Lock()
	l.gone = true
	d.lanes = slices.DeleteFunc(d.lanes, func(o *Lane[T]) bool { return o == l })
	d.mu.Unlock()
	var left []T
take:
	for {
		select {
		case v, ok := <-l.ch:
			if !ok {
				break take
			}
			left = append(left, v)
		default:
			break take
		}
	}
	l.c.s.CancelN(len(left))
	return left
}

// took tells c's lane, if it sends from one, that it took n values from
// it, or gave room back: the Dispatcher may have room again.
func (c *Conn[T]) took(n int) {
	if c.lane != nil && n > 0 {
		c.lane.d.roomMaybe()
	}
}

// SendLane sends the values of l, each of which holds a reservation in
// c's window, until l is closed, then closes the send side as CloseSend
// does. It returns nil after that, or the error that stopped it: as for
// SendFrom, a value taken from l that could not be sent comes back in an
// *UndeliveredError, or one for each value of a group, joined; the values
// behind it stay in l, for Stop to return. If ctx ends, the values in l
// are still sent, without waiting: each has room.
func (c *Conn[T]) SendLane(ctx context.Context, l *Lane[T]) error {
	ctx, cancel := context.WithCancel(ctx) // see SendFrom
	defer cancel()
	for {
		v, ok, err := c.take(ctx, l.ch)
		if err != nil {
			if ctx.Err() != nil {
				return c.flushLane(l, err)
			}
			return err
		}
		if !ok {
			return c.CloseSend()
		}
		c.took(1)
		closed, err := c.sendBatch(v, l.ch, true)
		if err != nil {
			return err
		}
		if closed {
			return c.CloseSend()
		}
	}
}

// flushLane sends what l holds once ctx ended, and its close if it came:
// the Dispatcher has returned, so l holds at most its size.
func (c *Conn[T]) flushLane(l *Lane[T], cause error) error {
	for range cap(l.ch) + 1 {
		select {
		case v, ok := <-l.ch:
			if !ok {
				return c.CloseSend()
			}
			if _, err := c.sendReserved(v); err != nil {
				return &UndeliveredError[T]{Value: v, Err: err}
			}
		default:
			return cause
		}
	}
	return cause
}
