package typed

import (
	"context"
	"errors"
	"io"
)

// SendFrom sends every value received from ch, until ch is closed, then
// closes the send side as CloseSend does. It returns nil after that, or the
// error that stopped it.
//
// SendFrom takes a value from ch only once there is capacity to send it, so a
// program sending on an unbuffered ch sees exactly the connection's
// capacity: with capacity n, n of its sends complete while the peer has
// received nothing, and the next waits. In rendezvous mode a send on ch
// completes only after every earlier value was received by the peer; ch's
// own send cannot wait for the network, so one value may be in flight.
//
// If SendFrom fails after taking a value from ch, the error is an
// *UndeliveredError that holds the value.
func (c *Conn[T]) SendFrom(ctx context.Context, ch <-chan T) error {
	// A context of its own: every pump of a listener shares the caller's,
	// and selecting on one shared Done channel makes them contend for its
	// lock on every value.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
		if _, err := c.sendReserved(v); err != nil {
			return &UndeliveredError[T]{Value: v, Err: err}
		}
	}
}

// finish ends SendFrom when ctx ended: what the program handed over before
// that, a close of ch or a value it is sending, must not be lost. With a
// reservation held, a value is still sent; without one it is returned in an
// *UndeliveredError.
func (c *Conn[T]) finish(ch <-chan T, reserved bool, cause error) error {
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
		if _, err := c.sendReserved(v); err != nil {
			return &UndeliveredError[T]{Value: v, Err: err}
		}
		return cause
	default:
		if reserved {
			c.s.Cancel()
		}
		return cause
	}
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
// the peer, when the send on ch completes. If ctx ends while RecvTo waits
// to hand a value over, the value stays with the connection and the next
// receive returns it; receivers running meanwhile may have taken later
// values first.
//
// A value that cannot be decoded is reported to onDecodeError, if not nil,
// and skipped; with a nil onDecodeError, RecvTo returns the error.
func (c *Conn[T]) RecvTo(ctx context.Context, ch chan<- T, onDecodeError func(error)) error {
	ctx, cancel := context.WithCancel(ctx) // see SendFrom
	defer cancel()
	for {
		v, n, err := c.next(ctx, ch)
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
		select {
		case ch <- v:
			c.s.Take()
			continue
		default:
		}
		select {
		case ch <- v:
			c.s.Take()
		case <-ctx.Done():
			c.hold(n, v)
			return context.Cause(ctx)
		}
	}
}
