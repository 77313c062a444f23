package sync

import (
	"fmt"
	gosync "sync"
)

// Receiver checks what arrives on a stream against the credit the receiving
// side gave, and counts what its program took.
//
// OnData and OnClose are called by the one goroutine that reads the
// connection; Take may be called from any goroutine, concurrently with them.
type Receiver struct {
	window uint64
	budget uint64 // bytes that may be held; 0: no bound
	next   uint64 // sequence number expected next; also values arrived
	closed bool

	mu    gosync.Mutex // orders Take with the reader's checks
	taken uint64
	held  sizes // sizes of the values arrived and not taken
}

// NewReceiver returns the bookkeeping for a stream of the given capacity,
// accepting values of up to maxValue bytes; see [Budget]. Capacity 0
// (rendezvous) holds one value, as for [NewSender]; maxValue 0 leaves the
// window unbounded in bytes.
func NewReceiver(capacity, maxValue int) *Receiver {
	r := &Receiver{window: uint64(max(capacity, 1))}
	if maxValue > 0 {
		r.budget = Budget(maxValue)
	}
	return r
}

// OnData accepts the value with sequence number seq, of size bytes, or says
// why the peer was wrong to send it.
func (r *Receiver) OnData(seq uint64, size int) error {
	if r.closed {
		return ErrAfterClose
	}
	if seq != r.next {
		return fmt.Errorf("%w: got %d, want %d", ErrSequence, seq, r.next)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// An honest peer sends a value beyond the first window only after it got
	// the credit that Take's count preceded, so the count read here already
	// includes every take that credit stood for.
	if err := r.roomLocked(size); err != nil {
		return err
	}
	r.next++
	if r.budget > 0 {
		r.held.push(uint32(size))
	}
	return nil
}

// Room reports, before a value's bytes are read, whether the peer may send
// one more of size bytes: the reader refuses a frame before it allocates a
// buffer for it.
func (r *Receiver) Room(size int) error {
	if r.closed {
		return ErrAfterClose
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.roomLocked(size)
}

func (r *Receiver) roomLocked(size int) error {
	if held := r.next - r.taken; held >= r.window {
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
	if count != r.next {
		return fmt.Errorf("%w: close after %d values, %d arrived", ErrCloseCount, count, r.next)
	}
	r.closed = true
	return nil
}

// Take records that the program took one value; the caller grants the peer
// one credit for it.
func (r *Receiver) Take() {
	r.mu.Lock()
	r.taken++
	if r.budget > 0 {
		r.held.pop(1)
	}
	r.mu.Unlock()
}

// Arrived returns how many values arrived.
func (r *Receiver) Arrived() uint64 { return r.next }
