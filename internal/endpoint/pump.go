package endpoint

import (
	"context"
	"errors"
	"io"
)

// SendFrom sends every value received from ch, until ch is closed, then
// closes the send side as CloseSend does. It returns nil after that, or the
// error that stopped it.
//
// SendFrom takes a value from ch only once there is capacity to send it, so
// a program sending on ch sees exactly the connection's capacity: with
// capacity n, n of its sends complete while the peer has received nothing,
// and the next waits. A buffered ch's buffer counts in the n, up to a
// quarter of it and 64 values (sync.MaxHold): while SendFrom runs, that
// much of the capacity is kept for the values in it. A larger buffer adds
// the rest of it to the capacity. In rendezvous mode a send on ch
// completes only after every earlier value was received by the peer; ch's
// own send cannot wait for the network, so one value may be in flight.
//
// If ctx ends, the values the program handed over are still sent while
// there is capacity: a value for which SendFrom already had room, and those
// in ch's buffer. If SendFrom fails after taking a value from ch, the error
// is an *UndeliveredError that holds the value; values behind it stay in ch.
// Values waiting in ch's buffer are taken several at once, up to 16, while
// the capacity has room for them: if a connection failing keeps such a
// group from being sent, the error joins an *UndeliveredError for each
// value in it, in order, as errors.Join does. One SendFrom at a time may
// run on a Conn: the room it keeps for ch's buffer is the Conn's one
// setting (see sync.Sender.Hold).
func (c *Conn[T]) SendFrom(ctx context.Context, ch <-chan T) error {
	// A context of its own: every pump of a listener shares the caller's,
	// and selecting on one shared Done channel makes them contend for its
	// lock on every value.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if n := cap(ch); n > 0 {
		c.s.Hold(n)
		defer c.s.Hold(0)
	}
	for {
		if err := c.s.Reserve(ctx); err != nil {
			if ctx.Err() != nil {
				return c.finish(ch, false, err)
			}
			return err
		}
		v, ok, err := c.take(ctx, ch)
		if err != nil {
			if ctx.Err() != nil {
				return c.finish(ch, true, err)
			}
			c.s.Cancel()
			return err
		}
		if !ok {
			c.s.Cancel()
			return c.CloseSend()
		}
		c.took(1)
		closed, err := c.sendBatch(v, ch, false)
		if err != nil {
			return err
		}
		if closed {
			return c.CloseSend()
		}
	}
}

// finish ends SendFrom when ctx ended: what the program handed over before
// that, a close of ch or values it sent, must not be lost. Values are sent
// while there is room: the reservation SendFrom holds, if any, then the
// room kept for the values in ch's buffer. The first value without room is
// returned in an *UndeliveredError.
func (c *Conn[T]) finish(ch <-chan T, reserved bool, cause error) error {
	c.s.Hold(0)
	for range cap(ch) + 1 {
		if !reserved && cap(ch) > 0 {
			reserved, _ = c.s.TryReserve()
		}
		select {
		case v, ok := <-ch:
			if !ok {
				if reserved {
					c.s.Cancel()
				}
				return c.CloseSend()
			}
			if !reserved {
				return &UndeliveredError[T]{Value: v, Err: cause}
			}
			reserved = false
			if _, err := c.sendReserved(v); err != nil {
				return &UndeliveredError[T]{Value: v, Err: err}
			}
		default:
			if reserved {
				c.s.Cancel()
			}
			return cause
		}
	}
	if reserved {
		c.s.Cancel()
	}
	return cause
}

// take receives the next value from ch, trying first without blocking,
// which locks ch alone.
func (c *Conn[T]) take(ctx context.Context, ch <-chan T) (v T, ok bool, err error) {
	select {
	case <-c.c.Ending():
		return v, false, c.c.Err()
	default:
	}
	select {
	case v, ok = <-ch:
		return v, ok, nil
	default:
	}
	select {
	case v, ok = <-ch:
		return v, ok, nil
	case <-ctx.Done():
		return v, false, context.Cause(ctx)
	case <-c.c.Ending():
		// A connection that is ending must not take another value from
		// ch: it could not deliver it, while another receiver of ch
		// might, and its owner learns of the failure only now.
		return v, false, c.c.Err()
	}
}

// RecvTo sends every value that arrives to ch, until the peer closes its
// send side, and returns nil then; otherwise the error that stopped it. A
// value counts as received by this end's program, which frees capacity for
// the peer, when the send on ch completes: a buffered ch's buffer adds to
// the capacity, where RecvToOutlet's does not. If ctx ends while RecvTo
// waits to hand a value over, the value stays with the connection and the
// next receive returns it. While RecvTo runs it must be the Conn's only
// receiver, as the channel API's pumps are: a receive waiting beside it
// for a value to arrive is not told of the value it gives back.
//
// A value that cannot be decoded is reported to onDecodeError, if not nil,
// and skipped; with a nil onDecodeError, RecvTo returns the error.
func (c *Conn[T]) RecvTo(ctx context.Context, ch chan<- T, onDecodeError func(error)) error {
	return c.recvTo(ctx, chanSink[T]{ch, c.s.TakeN}, onDecodeError)
}

// RecvToBuffer is RecvTo for a buffered channel that this end's program
// alone receives from: a value counts as received once it enters ch, while
// the credits of as many values as ch holds are withheld from the peer, so
// that ch's buffer counts in the capacity (see conn.Stream.Withhold). ch
// holds at most a quarter of the capacity and 64 values.
//
// When ctx ends, RecvToBuffer takes back the values still in ch before it
// returns, so that the program cannot receive them too, and the credits
// then count exactly what the program received: the peer hears of the
// others as values not delivered. The caller closes ch once RecvToBuffer
// returned. When the peer closed its side, or the connection failed, the
// values in ch are the program's, which ch's close follows: their credits
// go out, if they still can.
func (c *Conn[T]) RecvToBuffer(ctx context.Context, ch chan T, onDecodeError func(error)) error {
	c.s.Withhold(cap(ch))
	err := c.RecvTo(ctx, ch, onDecodeError)
	if ctx.Err() == nil {
		c.s.Withhold(0)
		return err
	}
	back := 0
takeBack:
	for range cap(ch) {
		select {
		case <-ch:
			back++
		default:
			break takeBack
		}
	}
	c.s.Withhold(back)
	return err
}

// RecvToOutlet is RecvTo for an Outlet's channel, which may be buffered and
// shared with other connections: a value counts as received once the
// program took it out of the channel, or once the peer closed its side,
// after which the values in the channel's buffer are the program's. A Conn
// feeds one Outlet in its life.
func (c *Conn[T]) RecvToOutlet(ctx context.Context, o *Outlet[T], onDecodeError func(error)) error {
	if cap(o.ch) == 0 {
		// A send that completes is a receive: nothing to remember.
		return c.RecvTo(ctx, o.ch, onDecodeError)
	}
	err := c.recvTo(ctx, outletSink[T]{c, o}, onDecodeError)
	if err == nil {
		o.release(c)
	}
	return err
}

func (c *Conn[T]) recvTo(ctx context.Context, to sink[T], onDecodeError func(error)) error {
	ctx, cancel := context.WithCancel(ctx) // see SendFrom
	defer cancel()
	group := make([]T, 0, maxBatch) // values handed over in one step
	for {
		v, n, err := c.next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if errors.Is(err, ErrDecode) && onDecodeError != nil {
				c.s.Take()
				onDecodeError(err)
				continue
			}
			return err
		}
		// Values waiting behind v go with it, in one step: one lock of
		// the inbox and one of an Outlet for them all.
		var first uint64
		group, first = c.more(append(group[:0], v), maxBatch-1)
		put, err := to.putAll(ctx, group)
		if err != nil {
			c.holdGroup(n, first, group, put)
		}
		clear(group)
		if err != nil {
			return err
		}
	}
}
