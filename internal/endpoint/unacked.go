package endpoint

import "math"

// unacked keeps, in order, the values a Conn sent that the peer's program
// has not taken, as far as its credits say: if the session ends without
// delivering them, they are what the program must hear of, one by one.
// The window bounds them.
//
// Its Conn's sendMu guards it, which every send holds anyway, so that a
// value costs no lock of its own. Sends push values as they are
// committed and let go of those acknowledged since; the reader lets go
// of them as credits arrive when no send holds the lock (see Conn.acked),
// and otherwise leaves that to the send holding it.
type unacked[T any] struct {
	q     ring[T]
	first uint64 // the sequence number of the oldest value, or of the next once none is kept
	acked uint64 // values the peer's program took: those numbered below it
}

// push keeps vs, the values numbered from seq on, once the peer's program
// took acked of the values sent. Sends push in the order of their
// sequence numbers; credits for some of them may have come already, since
// the peer may take a value before its send is back. A send holds sendMu
// from queuing its values to pushing them, and Conn.settle takes it to
// call takeAll, so no push comes after takeAll.
func (u *unacked[T]) push(acked, seq uint64, vs ...T) {
	u.trim(acked)
	if skip := min(u.acked-min(u.acked, seq), uint64(len(vs))); skip > 0 {
		vs, seq = vs[skip:], seq+skip
	}
	if len(vs) == 0 {
		return
	}
	if u.q.n == 0 {
		u.first = seq
	}
	for _, v := range vs {
		u.q.push(v, math.MaxInt)
	}
}

// trim lets go of the values numbered below acked, which the peer's
// program took.
func (u *unacked[T]) trim(acked uint64) {
	if acked <= u.acked {
		return
	}
	u.acked = acked
	for u.q.n > 0 && u.first < u.acked {
		u.q.pop()
		u.first++
	}
	if u.q.n > 0 {
		u.q.armTrim() // a peer may keep a few values unacknowledged for long
	}
}

// takeAll returns the values kept that the peer's program had not taken
// once it took acked of them, oldest first: the session ended.
func (u *unacked[T]) takeAll(acked uint64) []T {
	u.trim(acked)
	u.first += uint64(u.q.n)
	return u.q.drain()
}
