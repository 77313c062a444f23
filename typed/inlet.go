package typed

import (
	gosync "sync"
	"sync/atomic"

	nsync "github.com/netchan/netchan/sync"
)

// Inlet is a buffered channel that the SendFromInlet of any number of
// Conns take values from: the counterpart of an Outlet, for a program that
// sends to whichever connection has room, as goroutines share the work of
// receiving from one Go channel.
//
// A buffer spares a goroutine hand-off per value while values flow, but a
// value in it is outstanding with no connection yet. So the connections
// that take from the Inlet keep, between them, as much of their capacity
// unused as the buffer holds: with k connections of capacity n, k*n sends
// complete while no peer received anything, the buffer's values among
// them, and the next waits, as through an unbuffered channel. One
// connection keeps at most a quarter of its capacity and 64 values
// (sync.MaxHold): when the connections cannot keep all of the buffer
// between them, the rest adds to their capacity. So does all of it while
// no connection takes from the Inlet: the buffer then holds values for the
// first to come, as a Go channel's buffer does before any goroutine
// receives from it. When a connection that kept part of it stops, another
// takes that part over as it next takes a value; until then the buffer
// adds to the capacity of those left.
type Inlet[T any] struct {
	ch <-chan T
	pool
}

// pool is the part of a buffer no connection keeps capacity for yet.
type pool struct {
	mu     gosync.Mutex
	unheld int
	wanted atomic.Bool // unheld > 0, read without the lock once per value
}

// NewInlet returns an Inlet that takes values from ch, which the program
// sends on and closes to end the SendFromInlet of every connection, after
// each sent what it took. ch's buffer is what the connections keep room
// for; unbuffered, a value passes from the program's send straight to a
// connection's goroutine.
func NewInlet[T any](ch <-chan T) *Inlet[T] {
	in := &Inlet[T]{ch: ch}
	in.put(cap(ch))
	return in
}

// put gives k values of the buffer back to the pool.
func (p *pool) put(k int) {
	if k <= 0 {
		return
	}
	p.mu.Lock()
	p.unheld += k
	p.wanted.Store(true)
	p.mu.Unlock()
}

// keeping is what one sender keeps of its window for a pool's buffer.
type keeping struct {
	p     *pool
	c     keeper
	limit int // the most it may keep, sync.MaxHold of its window
	n     int
}

// keeper is the window a keeping keeps room in: a Conn's stream.
type keeper interface{ Hold(n int) }

func newKeeping(p *pool, c keeper, window int) *keeping {
	return &keeping{p: p, c: c, limit: nsync.MaxHold(max(window, 1))}
}

// claim takes as much of the pool as the window may keep. It costs one
// atomic load when there is nothing to take.
func (k *keeping) claim() {
	if k.n >= k.limit || !k.p.wanted.Load() {
		return
	}
	k.p.mu.Lock()
	defer k.p.mu.Unlock()
	take := min(k.p.unheld, k.limit-k.n)
	if take <= 0 {
		return
	}
	k.p.unheld -= take
	k.p.wanted.Store(k.p.unheld > 0)
	k.n += take
	k.c.Hold(k.n)
}

// release gives everything kept back to the pool, and the room to the
// window.
func (k *keeping) release() {
	if k.n == 0 {
		return
	}
	k.c.Hold(0)
	k.p.put(k.n)
	k.n = 0
}
