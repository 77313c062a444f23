package endpoint

import (
	"errors"
)

// maxBatch is the most values SendFrom encodes and queues in one step:
// enough to spread the locks a send takes over many values, few enough
// that the first is not held back for long behind the others.
const maxBatch = 16

// maxBatchBytes ends a group once its values take that many bytes encoded,
// so that a group of large values neither grows the encoding buffer past
// what a connection keeps nor queues far past the writer's bound.
const maxBatchBytes = keepEncodeBuffer

// sendBatch sends first, for which the caller holds a reservation, and
// behind it the values already waiting in ch that the window has room
// for, encoded and queued in one step: one lock of each kind for them all.
// With reserved, every value in ch holds a
// reservation already, as in a Dispatcher's lane. It reports whether it
// found ch closed.
//
// A value that cannot be encoded, or is too large for the peer, ends the
// batch: those before it are sent, and it is returned in an
// *UndeliveredError; values behind it stay in ch. If the batch cannot be
// queued, each value in it is undelivered: the error joins one
// *UndeliveredError per value, in order.
func (c *Conn[T]) sendBatch(first T, ch <-chan T, reserved bool) (closed bool, err error) {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	if c.broken != nil {
		c.s.Cancel()
		return false, &UndeliveredError[T]{Value: first, Err: c.broken}
	}
	room := 0 // reservations for values behind the one in hand
	if n := min(len(ch), maxBatch-1); reserved {
		room = n
	} else if n > 0 {
		room = c.s.TryReserveN(n)
	}
	limit := c.c.PeerMaxValue()
	buf, ends, batch := c.encBuf[:0], c.ends[:0], c.batch[:0]
	v := first
	var (
		failed   error  // why v cannot be encoded
		moved    bool   // and a stateful codec's state moved with it
		tooLarge []byte // v encoded, larger than the peer accepts
	)
batch:
	for {
		// v goes into batch first, on the heap, where the codec may take
		// a pointer to it rather than a copy.
		batch = append(batch, v)
		out, err := c.appendValue(buf, &batch[len(batch)-1])
		if err != nil {
			failed, moved = encodeFailed(v, c.in.codec, err)
			break
		}
		if len(out)-len(buf) > limit {
			tooLarge = out[len(buf):]
			buf = out[:len(buf)]
			break
		}
		buf = out
		ends = append(ends, len(buf))
		if room == 0 || len(buf) >= maxBatchBytes {
			break
		}
		select {
		case next, open := <-ch:
			if !open {
				closed = true
				break batch
			}
			v = next
			room--
		default: // another connection took what was waiting
			break batch
		}
	}
	if !reserved {
		c.s.CancelN(room) // a lane's values keep theirs
	}
	c.took(len(batch) - 1)
	if failed != nil || tooLarge != nil {
		// v is reported on its own below, not sent with the others.
		var zero T
		batch[len(batch)-1] = zero
		batch = batch[:len(batch)-1]
	}

	var errs []error
	if len(ends) > 0 {
		seq, err := c.s.SendN(len(ends), func(i int) []byte {
			if i == 0 {
				return buf[:ends[0]]
			}
			return buf[ends[i-1]:ends[i]]
		})
		if err == nil {
			c.keepUnacked(seq, batch...)
			// With a byte budget, a reservation counted the largest value:
			// queuing these gave the rest back, and no credit will say so.
			c.took(len(ends))
		} else {
			c.breakIfStateful(err)
			for _, u := range batch {
				errs = append(errs, &UndeliveredError[T]{Value: u, Err: err})
			}
		}
	}
	switch {
	case failed != nil:
		c.s.Cancel()
		if moved {
			c.breakIfStateful(failed)
		}
		errs = append(errs, &UndeliveredError[T]{Value: v, Err: failed})
	case tooLarge != nil:
		// Send refuses it, saying why, and gives its reservation back. A
		// stateful codec's state counted it sent: the next value would
		// not decode.
		_, err := c.s.Send(tooLarge)
		c.breakIfStateful(err)
		errs = append(errs, &UndeliveredError[T]{Value: v, Err: err})
	}
	if len(errs) > 0 {
		c.took(1) // the room of a value not sent is free again
	}
	clear(batch) // the program's values are not kept alive here
	c.keepEncodeBuffer(buf)
	c.ends, c.batch = ends[:0], batch[:0]
	if len(errs) == 1 {
		return closed, errs[0]
	}
	return closed, errors.Join(errs...)
}
