package endpoint

import (
	"context"
	"errors"
	"fmt"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
)

// SendFeed sends the values of f, each of which holds a reservation in c's
// window, until the Broadcaster's channel is closed, then closes the send
// side as CloseSend does. It returns nil after that, or the error that
// stopped it. It sends the values waiting in f together, in one step.
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
	group := make([]shared[T], 0, min(f.size, 64)) // grown as needed
	for {
		var closed, gone bool
		group, closed, gone = f.take(group[:0])
		switch {
		case gone:
			return c.feedGone(ctx)
		case len(group) > 0:
			f.move()
			err := c.sendGroup(f, group)
			// Queuing gave back room no credit will announce: that of a
			// value refused, and what a byte budget counted for a
			// reservation beyond the value's size. Run may wait for it.
			f.move()
			if err != nil {
				return err
			}
			continue
		case closed:
			return c.CloseSend()
		}
		// Run looks whether f sleeps after it gave a value: look again
		// once f says so, or that value could wait for ever.
		f.sleeping.Store(true)
		if f.pending() {
			f.sleeping.Store(false)
			continue
		}
		select {
		case <-f.wake:
		case <-ctx.Done():
			f.sleeping.Store(false)
			return c.flushFeed(f, context.Cause(ctx))
		case <-c.c.Ending():
			f.sleeping.Store(false)
			return c.c.Err()
		}
		f.sleeping.Store(false)
	}
}

// take appends to dst the values waiting in f, at most its size, and
// reports whether f is closed and every value taken, or gone: Stopped, or
// cut, when it may no longer read the ring.
func (f *Feed[T]) take(dst []shared[T]) (_ []shared[T], closed, gone bool) {
	b := f.b
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gone {
		return dst, false, true
	}
	next, h := f.next.Load(), b.head.Load()
	n := h - next
	for i := range n {
		sl := b.slot(next + i)
		dst = append(dst, sl.shared)
		sl.leave()
	}
	// Only now may Run write over what it read.
	f.next.Store(next + n)
	return dst, next+n >= b.end.Load(), false
}

// pending reports whether f has values waiting, or its close.
func (f *Feed[T]) pending() bool {
	next := f.next.Load()
	return next < f.b.head.Load() || next >= f.b.end.Load()
}

// feedGone returns why f went while SendFeed ran: it was cut, and its
// session is being aborted, or its session is ending.
func (c *Conn[T]) feedGone(ctx context.Context) error {
	select {
	case <-c.c.Ending():
		return c.c.Err()
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// flushFeed sends what f holds once ctx ended, and its close if it came:
// the Broadcaster has returned, or is about to, so f holds at most its
// size.
func (c *Conn[T]) flushFeed(f *Feed[T], cause error) error {
	group := make([]shared[T], 0, min(f.size, 64))
	for range f.size + 2 { // each round takes a value at least, or ends
		var closed, gone bool
		group, closed, gone = f.take(group[:0])
		if gone {
			return cause
		}
		if len(group) > 0 {
			if err := c.sendGroup(f, group); err != nil {
				return err
			}
			continue
		}
		if closed {
			return c.CloseSend()
		}
		return cause
	}
	return cause
}

// sendGroup queues the values of group, taken from f, and counts them
// queued.
func (c *Conn[T]) sendGroup(f *Feed[T], group []shared[T]) error {
	err := c.sendShared(f, group)
	f.queued.Add(uint64(len(group)))
	clear(group) // the program's values are not kept alive here
	return err
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
	// A value refused is never one of its window's sized values that is
	// small enough for the peer, which conn.Stream.Sized forbids: a
	// stateless codec's values refused are too large, and a stateful
	// codec's values are never sized.
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
				err, _ := encodeFailed(group[i].v, c.in.codec, err)
				refuse(group[i].v, err)
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
