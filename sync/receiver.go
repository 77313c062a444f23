package sync

import (
	"fmt"
	"sync/atomic"
)

// Receiver checks what arrives on a stream against the credit the receiving
// side gave, and counts what its program took.
//
// OnData, OnValues, Room and OnClose are called by the one goroutine that
// reads the connection; Take may be called from any goroutine, concurrently
// with them.
type Receiver struct {
	window uint64
	budget uint64 // bytes that may be held; 0: no bound
	closed bool

	taken atomic.Uint64 // the one field Take writes
	// The sequence number expected next, which is also how many values
	// arrived: written by the reader alone, read by Take too.
	next atomic.Uint64

	// The sizes of the values arrived and not taken, as far as the reader
	// knows: the reader drops the sizes of values taken since it last
	// looked, so that Take need not lock anything.
	held    sizes
	dropped uint64 // takes whose sizes were dropped from held
}

// NewReceiver returns the bookkeeping for a stream of the given capacity,
// accepting values of up to maxValue bytes; see [Budget]. Capacity 0
// (rendezvous) holds one value, as for [NewSender]; maxValue 0 leaves the
// window unbounded in bytes, as does a window too small for the budget to
// bind.
func NewReceiver(capacity, maxValue int) *Receiver {
	r := &Receiver{window: uint64(max(capacity, 1))}
	r.budget = budgetFor(r.window, maxValue)
	return r
}

// OnData accepts the value with sequence number seq, of size bytes, or says
// why the peer was wrong to send it.
func (r *Receiver) OnData(seq uint64, size int) error {
	if err := r.expect(seq); err != nil {
		return err
	}
	if err := r.fits(seq-r.dropTaken(), size); err != nil {
		return err
	}
	if r.budget > 0 {
		r.held.push(uint32(size))
	}
	r.next.Store(seq + 1)
	return nil
}

// OnValues accepts n values in a row, the first with sequence number seq,
// of the sizes size gives, as n calls of OnData would, or says why the
// peer was wrong to send the first it refuses.
func (r *Receiver) OnValues(seq uint64, n int, size func(i int) int) error {
	if err := r.expect(seq); err != nil {
		return err
	}
	taken := r.dropTaken()
	next := seq
	for i := range n {
		sz := size(i)
		if err := r.fits(next-taken, sz); err != nil {
			r.next.Store(next)
			return err
		}
		if r.budget > 0 {
			r.held.push(uint32(sz))
		}
		next++
	}
	r.next.Store(next)
	return nil
}

// Room reports, before a value's bytes are read, whether the peer may send
// one more of size bytes: the reader refuses a frame before it allocates a
// buffer for it.
func (r *Receiver) Room(size int) error {
	if r.closed {
		return ErrAfterClose
	}
	return r.fits(r.next.Load()-r.dropTaken(), size)
}

// expect checks that the next value may come, numbered seq.
func (r *Receiver) expect(seq uint64) error {
	if r.closed {
		return ErrAfterClose
	}
	if next := r.next.Load(); seq != next {
		return fmt.Errorf("%w: got %d, want %d", ErrSequence, seq, next)
	}
	return nil
}

// dropTaken returns how many values the program took, and drops their
// sizes from held. An honest peer sends a value beyond the first window
// only after it got the credit that Take's count preceded, so the count
// read here already includes every take that credit stood for.
func (r *Receiver) dropTaken() uint64 {
	taken := r.taken.Load()
	if r.budget > 0 {
		r.held.pop(taken - r.dropped)
		r.dropped = taken
	}
	return taken
}

// fits reports whether one more value of size bytes may arrive while held
// others wait for the program.
func (r *Receiver) fits(held uint64, size int) error {
	if held >= r.window {
		return fmt.Errorf("%w: %d values held, window %d", ErrOverrun, held, r.window)
	}
	if r.budget > 0 && r.held.total+uint64(size) > r.budget {
		return fmt.Errorf("%w: %d bytes held and %d more, budget %d", ErrOverrun, r.held.total, size, r.budget)
	}
	return nil
}

// OnClose accepts the peer's close of the stream after count values.
func (r *Receiver) OnClose(count uint64) error {
	if r.closed {
		return ErrAfterClose
	}
	if next := r.next.Load(); count != next {
		return fmt.Errorf("%w: close after %d values, %d arrived", ErrCloseCount, count, next)
	}
	r.closed = true
	return nil
}

// Take records that the program took one value; the caller grants the peer
// one credit for it. It reports what TakeN does.
func (r *Receiver) Take() (caughtUp bool) { return r.TakeN(1) }

// TakeN records that the program took n values; the caller grants the peer
// n credits for them. It reports whether the program has now taken every
// value that arrived: then no value waits to be taken, wherever the
// receiving side keeps them, and the credits should go out at once rather
// than wait for more.
func (r *Receiver) TakeN(n int) (caughtUp bool) {
	return r.taken.Add(uint64(n)) == r.next.Load()
}

// Taken returns how many values the program took.
func (r *Receiver) Taken() uint64 { return r.taken.Load() }

// Arrived returns how many values arrived.
func (r *Receiver) Arrived() uint64 { return r.next.Load() }
