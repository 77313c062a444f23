package conn

import (
	"fmt"
	gosync "sync"

	"github.com/netchan/netchan/internal/pool"
)

// byteInbox is a stream's inbox when Config.Inbox is nil: it keeps each
// value's bytes for [Stream.Next].
//
// It grows as values arrive rather than making room for the window when
// the stream opens: an open frame of a large capacity costs the receiver
// nothing until the values come, and what it holds is what arrived, which
// the window and the byte budget bound. So a stream may be granted a
// larger capacity than the main stream's (see maxOpenCapacity).
type byteInbox struct {
	window int // the most an honest peer has held here at once

	mu     gosync.Mutex
	queue  []Message // waiting from head on
	head   int
	closed bool
	ready  chan struct{} // capacity 1: a value or the close may be waiting
}

// shrinkAt is the capacity of an emptied queue beyond which it is let go
// of, so that a burst's memory is not kept while the stream is quiet.
const shrinkAt = 64

func newByteInbox(window int) *byteInbox {
	return &byteInbox{window: window, ready: make(chan struct{}, 1)}
}

func (in *byteInbox) Arrive(value []byte) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.queue)-in.head >= in.window {
		// The window bounds what is held; this is unreachable unless the
		// stream's flow control broke.
		return fmt.Errorf("%w: inbox full", ErrProtocol)
	}
	if len(in.queue) == cap(in.queue) && in.head > 0 {
		n := copy(in.queue, in.queue[in.head:])
		clear(in.queue[n:])
		in.queue, in.head = in.queue[:n], 0
	}
	buf := pool.Get(len(value))
	copy(*buf, value)
	in.queue = append(in.queue, Message{buf: buf, Value: *buf})
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
	return len(in.queue) - in.head
}

// pop returns the next value without waiting: ok is false if none waits,
// and closed then says the peer closed the stream.
func (in *byteInbox) pop() (m Message, ok, closed bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.head == len(in.queue) {
		return m, false, in.closed
	}
	m = in.queue[in.head]
	in.queue[in.head] = Message{}
	in.head++
	if in.head == len(in.queue) {
		in.queue, in.head = in.queue[:0], 0
		if cap(in.queue) > shrinkAt {
			in.queue = nil
		}
	} else {
		in.signal() // for another goroutine waiting in Next
	}
	return m, true, false
}

// signal wakes a goroutine waiting in Next. The caller holds mu.
func (in *byteInbox) signal() {
	select {
	case in.ready <- struct{}{}:
	default:
	}
}
