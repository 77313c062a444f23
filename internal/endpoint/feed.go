package endpoint

import (
	"context"
	"errors"
	"fmt"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
)

// SendFeed sends the values of f, each of which holds a reservation in c's
// window, until f is closed, then closes the send side as CloseSend does.
// It returns nil after that, or the error that stopped it. It sends the
// values waiting in f together, up to maxBatch, in one step.
//
// A value too large for the peer, or one a stateful codec cannot encode,
// is not sent: the error joins an *UndeliveredError for each, and the
// values around them are sent; the caller may call SendFeed again. Values
// that could not be sent because the session ended go nowhere, as a
// broadcast listener's do: the error is the session's. If ctx ends, the
// values in f are still sent, without waiting: each has room.
func (c *Conn[T]) SendFeed(ctx context.Context, f *Feed[T]) error {
	ctx, cancel := context.WithCancel(ctx) // see SendFrom
	defer cancel()
	group := make([]shared[T], 0, maxBatch)
	for {
		var (
			s  shared[T]
			ok bool
		)
		select {
		case s, ok = <-f.ch:
		case <-ctx.Done():
			return c.flushFeed(f, context.Cause(ctx))
		case <-c.c.Ending():
			return c.c.Err()
		}
		if !ok {
			return c.CloseSend()
		}
		group = append(group[:0], s)
		closed := false
	more:
		for len(group) < maxBatch {
			select {
			case s, ok := <-f.ch:
				if !ok {
					closed = true
					break more
				}
				group = append(group, s)
			default:
				break more
			}
		}
		f.move()
		err := c.sendShared(f, group)
		f.unsent.Add(-int64(len(group)))
		clear(group) // the program's values are not kept alive here
		if err != nil {
			return err
		}
		if closed {
			return c.CloseSend()
		}
	}
}

// flushFeed sends what f holds once ctx ended, and its close if it came:
// the Broadcaster has returned, so f holds at most its size.
func (c *Conn[T]) flushFeed(f *Feed[T], cause error) error {
	for range cap(f.ch) + 1 {
		select {
		case s, ok := <-f.ch:
			if !ok {
				return c.CloseSend()
			}
			if err := c.sendShared(f, []shared[T]{s}); err != nil {
				return err
			}
		default:
			return cause
		}
	}
	return cause
}

// sendShared queues the values of group, for each of which the caller
// holds a reservation, in one step: the encoding they share, or, with a
// stateful codec, their encoding by c's codec.
func (c *Conn[T]) sendShared(f *Feed[T], group []shared[T]) error {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	limit := c.c.PeerMaxValue()
	buf, encs := f.buf[:0], f.encs[:0]
	var errs []error
	refuse := func(v T, err error) {
		c.s.Cancel()
		c.breakIfStateful(err)
		// One client of many: say which.
		errs = append(errs, &UndeliveredError[T]{Value: v, Err: c.AboutPeer(err)})
	}
	for i := range group {
		enc := group[i].enc
		if enc == nil {
			if c.broken != nil {
				refuse(group[i].v, c.broken)
				continue
			}
			start := len(buf)
			out, err := codec.AppendPointer(c.in.codec, buf, &group[i].v)
			if err != nil {
				refuse(group[i].v, fmt.Errorf("%w %T with %s: %w", ErrEncode, group[i].v, c.in.codec.Name(), err))
				continue
			}
			buf, enc = out, out[start:]
		}
		if len(enc) > limit {
			refuse(group[i].v, fmt.Errorf("%w: %d bytes encoded, the peer accepts %d", conn.ErrTooLarge, len(enc), limit))
			continue
		}
		encs = append(encs, enc)
	}
	if len(encs) > 0 {
		if _, err := c.s.SendN(len(encs), func(i int) []byte { return encs[i] }); err != nil {
			c.breakIfStateful(err)
			return err
		}
	}
	clear(encs) // shared encodings are not kept alive here
	f.encs = encs[:0]
	if cap(buf) <= keepEncodeBuffer {
		f.buf = buf
	}
	return errors.Join(errs...)
}
