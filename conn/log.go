package conn

import (
	"encoding/binary"
	"fmt"

	"github.com/netchan/netchan/internal/wire"
)

// sendLog holds the numbered frames a session sent and its peer has not
// acknowledged, back to back, in the order they were queued. It is both the
// queue the writer takes frames from and what a resumed connection sends
// again: a frame leaves it only once the peer said it arrived (an ack frame,
// or the count in a resuming hello). Its bytes are counted from the
// session's start, so that both ends name a place in it by one number.
//
// The values in it are bounded by the streams' windows, which count a value
// until the peer's program took it, and an honest peer acknowledges a
// value's frame no later than it credits the value, so the log holds little
// besides what the windows allow; a peer that holds back its acks is cut off
// there (Session.checkAckedLocked). The session's mu guards it.
type sendLog struct {
	buf   []byte // buf[head:] holds the frames from offset base on
	head  int
	base  uint64 // the session offset of buf[head]
	wrote uint64 // the offset written on the current connection
}

// keepLog is the largest buffer an empty log keeps: a burst may grow it to
// a window of large values, which an idle session should not hold.
const keepLog = 64 << 10

// end returns the session offset just past the last frame queued.
func (l *sendLog) end() uint64 { return l.base + uint64(len(l.buf)-l.head) }

// unwritten returns how many queued bytes the current connection has not
// written.
func (l *sendLog) unwritten() int { return int(l.end() - l.wrote) }

// room makes room for n more bytes at the end of buf, moving the frames to
// the front of the buffer or to a larger one. The session's mu is held, and
// nothing outside it refers to the buffer, so moving is safe.
func (l *sendLog) room(n int) {
	if cap(l.buf)-len(l.buf) >= n {
		return
	}
	live := len(l.buf) - l.head
	if live+n <= cap(l.buf) && l.head >= live {
		l.buf = l.buf[:copy(l.buf, l.buf[l.head:])]
		l.head = 0
		return
	}
	buf := make([]byte, live, max(2*(live+n), 4<<10))
	copy(buf, l.buf[l.head:])
	l.buf, l.head = buf, 0
}

// frame appends a frame of kind on stream whose payload append writes.
func (l *sendLog) frame(kind wire.Kind, stream uint32, size int, payload func([]byte) []byte) {
	l.room(wire.HeaderSize + size)
	start := len(l.buf)
	l.buf = wire.AppendHeader(l.buf, wire.Header{Kind: kind, Stream: stream})
	l.buf = payload(l.buf)
	wire.PutLength(l.buf, start, len(l.buf)-start-wire.HeaderSize)
}

// data appends a data frame.
func (l *sendLog) data(stream uint32, seq uint64, value []byte) {
	l.frame(wire.KindData, stream, wire.DataPrefixLen(seq)+len(value), func(b []byte) []byte {
		return append(wire.AppendDataPrefix(b, seq), value...)
	})
}

// values appends a values frame of value(from) to value(to-1), the first
// numbered seq, whose payload is size bytes (wire.ValuesSize).
func (l *sendLog) values(stream uint32, seq uint64, size int, from, to int, value func(i int) []byte) {
	l.frame(wire.KindValues, stream, size, func(b []byte) []byte {
		b = wire.AppendDataPrefix(b, seq)
		for i := from; i < to; i++ {
			b = wire.AppendValue(b, value(i))
		}
		return b
	})
}

// count appends a frame whose payload is one count: credit, close, streams.
func (l *sendLog) count(kind wire.Kind, stream uint32, n uint64) {
	l.frame(kind, stream, 10, func(b []byte) []byte { return wire.AppendCount(b, n) })
}

// open appends an open frame.
func (l *sendLog) open(stream uint32, o wire.Open) {
	l.frame(wire.KindOpen, stream, 20+len(o.Meta), func(b []byte) []byte { return wire.AppendOpen(b, o) })
}

// ack drops the frames before session offset n, which the peer has. An ack
// of what was already dropped changes nothing; one beyond what was sent is
// a lie.
func (l *sendLog) ack(n uint64) error {
	if n > l.wrote {
		return fmt.Errorf("%w: peer acknowledged %d bytes, %d were sent", ErrProtocol, n, l.wrote)
	}
	if n <= l.base {
		return nil
	}
	// The peer counts whole frames: a count that falls inside one is a
	// lie, and would make the writer read a length out of a frame's middle.
	head := l.head
	for off := l.base; off < n; {
		size := uint64(wire.HeaderSize) + uint64(binary.BigEndian.Uint32(l.buf[head:]))
		head += int(size)
		off += size
		if off > n {
			return fmt.Errorf("%w: peer acknowledged %d bytes, inside a frame", ErrProtocol, n)
		}
	}
	l.head = head
	l.base = n
	if l.head == len(l.buf) {
		l.buf, l.head = l.buf[:0], 0
		if cap(l.buf) > keepLog {
			l.buf = nil
		}
	}
	return nil
}

// rewind makes a new connection start writing at session offset n, where
// the peer says its frames stop; what comes before is acknowledged.
func (l *sendLog) rewind(n uint64) error {
	if n < l.base || n > l.end() {
		return fmt.Errorf("%w: peer resumes at byte %d, this end holds %d to %d", ErrProtocol, n, l.base, l.end())
	}
	wrote := l.wrote
	l.wrote = n
	if err := l.ack(n); err != nil {
		l.wrote = wrote
		return err
	}
	return nil
}

// take appends to dst the unwritten frames, whole, up to max bytes but at
// least one, and counts them written. Frames are never split between two
// takes, since the writer may put frames of its own between them.
func (l *sendLog) take(dst []byte, max int) []byte {
	from := l.head + int(l.wrote-l.base)
	to := from
	for to < len(l.buf) {
		size := wire.HeaderSize + int(binary.BigEndian.Uint32(l.buf[to:]))
		if to > from && to+size-from > max {
			break
		}
		to += size
	}
	l.wrote += uint64(to - from)
	return append(dst, l.buf[from:to]...)
}
