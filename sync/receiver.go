package sync

import (
	"fmt"
	"sync/atomic"
)

// Receiver checks what arrives on a stream against the credit the receiving
// side gave, and counts what its program took.
//
// OnData and OnClose are called by the one goroutine that reads the
// connection; Take may be called from any goroutine, concurrently with them.
type Receiver struct {
	window uint64
	next   uint64 // sequence number expected next; also values arrived
	closed bool
	taken  atomic.Uint64
}

// NewReceiver returns the bookkeeping for a stream of the given capacity;
// capacity 0 (rendezvous) holds one value, as for [NewSender].
func NewReceiver(capacity int) *Receiver {
	return &Receiver{window: uint64(max(capacity, 1))}
}

// OnData accepts the value with sequence number seq, or says why the peer
// was wrong to send it.
func (r *Receiver) OnData(seq uint64) error {
	if r.closed {
		return ErrAfterClose
	}
	if seq != r.next {
		return fmt.Errorf("%w: got %d, want %d", ErrSequence, seq, r.next)
	}
	// An honest peer sends a value beyond the first window only after it got
	// the credit that Take's increment preceded, so the count read here
	// already includes every take that credit stood for.
	if held := r.next - r.taken.Load(); held >= r.window {
		return fmt.Errorf("%w: %d values held, window %d", ErrOverrun, held, r.window)
	}
	r.next++
	return nil
}

// Room reports, before a value's bytes are read, whether the peer may send
// one more: the reader refuses a frame before it allocates a buffer for it.
func (r *Receiver) Room() error {
	if r.closed {
		return ErrAfterClose
	}
	if held := r.next - r.taken.Load(); held >= r.window {
		return fmt.Errorf("%w: %d values held, window %d", ErrOverrun, held, r.window)
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
	r.taken.Add(1)
}

// Arrived returns how many values arrived.
func (r *Receiver) Arrived() uint64 { return r.next }
