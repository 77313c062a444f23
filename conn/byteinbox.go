package conn

import (
	"context"
	"fmt"
	gosync "sync"

	"github.com/netchan/netchan/internal/pool"
)

// byteInbox is a stream's inbox when Config.Inbox is nil: it keeps each
// value's bytes for [Stream.Next].
//
// It grows as values arrive rather than making room for the window when
// the stream opens, and keeps their bytes end to end with four bytes of
// length each: a peer's open frame costs the receiver nothing until
// values come, and its buffers hold at most about twice the bytes and
// the lengths of the most values that waited at once: the slack of a
// buffer that grows by doubling and is let go only once the inbox is
// empty. The window and the byte budget bound
// what arrives, so a stream may be granted a larger capacity than the
// main stream's (see MaxOpenCapacity). Next copies each value out, into a
// pooled buffer.
type byteInbox struct {
	window int // the most an honest peer has held here at once

	mu     gosync.Mutex
	data   []byte   // the values waiting, end to end, from start on
	start  int      // where the first value waiting begins in data
	sizes  []uint32 // their lengths, from head on
	head   int
	closed bool
	ready  chan struct{} // capacity 1: a value or the close may be waiting
}

// keepInbox is the memory, in bytes, an emptied inbox keeps for the next
// values; beyond it, it lets its buffers go, so that a burst's memory is
// not kept while the stream is quiet.
const keepInbox = 4 << 10

func newByteInbox(window int) *byteInbox {
	return &byteInbox{window: window, ready: make(chan struct{}, 1)}
}

func (in *byteInbox) Arrive(values [][]byte) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.sizes)-in.head+len(values) > in.window {
		// The window bounds what is held; this is unreachable unless the
		// stream's flow control broke.
		return fmt.Errorf("%w: inbox full", ErrProtocol)
	}
	for _, value := range values {
		// Before a buffer would grow, what was taken makes room.
		if len(in.data)+len(value) > cap(in.data) && in.start > 0 {
			n := copy(in.data, in.data[in.start:])
			in.data, in.start = in.data[:n], 0
		}
		if len(in.sizes) == cap(in.sizes) && in.head > 0 {
			n := copy(in.sizes, in.sizes[in.head:])
			in.sizes, in.head = in.sizes[:n], 0
		}
		in.data = append(in.data, value...)
		in.sizes = append(in.sizes, uint32(len(value)))
	}
	in.signal()
	return nil
}

func (in *byteInbox) Close() {
	in.mu.Lock()
	in.closed = true
	in.signal()
	in.mu.Unlock()
}

func (in *byteInbox) Len() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.sizes) - in.head
}

// pop returns the next value without waiting: ok is false if none waits,
// and closed then says the peer closed the stream.
func (in *byteInbox) pop() (m Message, ok, closed bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.head == len(in.sizes) {
		return m, false, in.closed
	}
	n := int(in.sizes[in.head])
	buf := pool.Get(n)
	copy(*buf, in.data[in.start:in.start+n])
	in.start += n
	in.head++
	if in.head == len(in.sizes) {
		in.data, in.start = in.data[:0], 0
		in.sizes, in.head = in.sizes[:0], 0
		if cap(in.data)+4*cap(in.sizes) > keepInbox {
			in.data, in.sizes = nil, nil
		}
	} else {
		in.signal() // for another goroutine waiting in Next
	}
	return Message{buf: buf, Value: *buf}, true, false
}

// signal wakes a goroutine waiting in Next. The caller holds mu.
func (in *byteInbox) signal() { signal(in.ready) }

// wait returns the next message: ok is false once the peer closed the
// stream and every value was returned. It returns ctx's cause if ctx ends
// first, and the session's error if it ended with nothing waiting.
func (in *byteInbox) wait(ctx context.Context, s *Session) (m Message, ok bool, err error) {
	for {
		m, ok, closed := in.pop()
		if ok || closed {
			return m, ok, nil
		}
		select {
		case <-in.ready:
		case <-ctx.Done():
			return m, false, context.Cause(ctx)
		case <-s.done:
			m, ok, closed := in.pop()
			if ok || closed {
				return m, ok, nil
			}
			return m, false, s.Err()
		}
	}
}
