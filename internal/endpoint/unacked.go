package endpoint

import (
	"math"
	"slices"
	gosync "sync"
)

// unacked keeps, in order, the values a Conn sent that the peer's program
// has not taken, as far as its credits say: if the session ends without
// delivering them, they are what the program must hear of, one by one.
// Sends push them as they are committed, and the reader trims them as
// credits arrive, so a connection holds values only for what is not yet
// acknowledged; the window bounds them.
type unacked[T any] struct {
	mu    gosync.Mutex
	q     ring[T]
	first uint64 // the sequence number of the oldest value, or of the next once none is kept
	acked uint64 // values the peer's program took: those numbered below it
	done  bool   // takeAll was called: the session ended, and nothing is kept
}

// push keeps vs, the values numbered from seq on. Sends push in the order
// of their sequence numbers; credits for some of them may have come
// already, since the peer may take a value before its send is back.
//
// A send queued its values before it pushes them, and the session may end
// in between: once takeAll was called, push keeps nothing and returns
// those of vs not acknowledged, for the caller to deal with as takeAll's
// caller did with the others.
func (u *unacked[T]) push(seq uint64, vs ...T) (late []T) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if skip := min(u.acked-min(u.acked, seq), uint64(len(vs))); skip > 0 {
		vs, seq = vs[skip:], seq+skip
	}
	if len(vs) == 0 {
		return nil
	}
	if u.done {
		return slices.Clone(vs)
	}
	if u.q.owner == nil {
		// Once, before the ring can arm its trim timer, which reads it
		// without the lock.
		u.q.owner = &u.mu
	}
	if u.q.n == 0 {
		u.first = seq
	}
	for _, v := range vs {
		u.q.push(v, math.MaxInt)
	}
	return nil
}

// trim lets go of the values numbered below acked, which the peer's
// program took.
func (u *unacked[T]) trim(acked uint64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.acked = max(u.acked, acked)
	for u.q.n > 0 && u.first < u.acked {
		u.q.pop()
		u.first++
	}
	if u.q.n > 0 {
		u.q.armTrim() // a peer may keep a few values unacknowledged for long
	}
}

// takeAll returns the values kept, oldest first, and keeps none from then
// on: the session ended.
func (u *unacked[T]) takeAll() []T {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.done = true
	u.first += uint64(u.q.n)
	return u.q.drain()
}
