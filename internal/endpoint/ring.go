package endpoint

import (
	gosync "sync"
	"time"
)

// ring is a queue that grows with what it holds, up to a limit, rather than
// one the size of the window: a connection given a large capacity holds
// memory only for what it has, and gives back what a burst made it grow
// once its traffic no longer needs it. Its owner's mutex guards it.
type ring[E any] struct {
	buf  []E
	head int // index of the oldest value
	n    int // values held
	peak int // most values held since the ring was last empty
	lean int // busy spells in a row that used under a quarter of it

	owner gosync.Locker // the owner's mutex, for trim's timer
	trim  *time.Timer   // gives up a large ring the connection no longer uses
}

// A ring of up to keepRing values is kept whatever its use. A larger one is
// halved after leanSpells busy spells in a row (from a first value into the
// empty ring until it is empty again) that each used under a quarter of it:
// often enough for a connection whose traffic fell, seldom enough that
// bursts of varying sizes do not make it shrink and grow again and again.
const (
	keepRing   = 64
	leanSpells = 64
)

// trimAfter is how long a large ring may sit empty before it is given up, so
// that a connection quiet after a burst holds little memory.
const trimAfter = time.Second

// push appends e, growing the ring up to limit values; it holds fewer.
func (r *ring[E]) push(e E, limit int) {
	if r.n == len(r.buf) {
		r.grow(limit)
	}
	r.buf[r.at(r.n)] = e
	r.n++
	r.peak = max(r.peak, r.n)
}

// grow doubles the ring, up to limit, keeping the values in order.
func (r *ring[E]) grow(limit int) { r.resize(min(max(2*len(r.buf), 8), limit)) }

// resize moves the values held, in order, to a ring of size slots.
func (r *ring[E]) resize(size int) {
	buf := make([]E, size)
	r.copyTo(buf)
	r.buf, r.head = buf, 0
}

// copyTo copies the values held, oldest first, to dst.
func (r *ring[E]) copyTo(dst []E) {
	for i := range r.n {
		dst[i] = r.buf[r.at(i)]
	}
}

// at returns the index in buf of the i-th value held, i <= n: a
// subtraction rather than a remainder, which divides.
func (r *ring[E]) at(i int) int {
	if j := r.head + i; j < len(r.buf) {
		return j
	}
	return r.head + i - len(r.buf)
}

// front returns the oldest value; there is one.
func (r *ring[E]) front() E { return r.buf[r.head] }

// pop takes the oldest value; there is one. Its slot is cleared, so that
// the ring keeps nothing of the program's alive.
func (r *ring[E]) pop() E {
	var zero E
	e := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = r.at(1)
	r.n--
	if r.n == 0 {
		r.emptied()
	}
	return e
}

// emptied ends a busy spell: a ring that was little used shrinks, and a
// large one is given up if it stays empty for trimAfter.
func (r *ring[E]) emptied() {
	r.head = 0
	r.lean++
	if r.peak >= len(r.buf)/4 {
		r.lean = 0
	}
	if len(r.buf) > keepRing && r.lean >= leanSpells {
		r.buf, r.lean = make([]E, max(len(r.buf)/2, keepRing)), 0
	}
	r.armTrim()
	r.peak = 0
}

// armTrim sets trim's timer, if the ring is large and mostly empty: it
// gives the memory up once the ring stays so for trimAfter.
func (r *ring[E]) armTrim() {
	if len(r.buf) <= keepRing || r.n > len(r.buf)/4 {
		return
	}
	if r.trim == nil {
		r.trim = time.AfterFunc(trimAfter, r.trimIdle)
	} else {
		r.trim.Reset(trimAfter)
	}
}

// trimIdle gives up the ring if it is empty, and shrinks it to fit, at
// least keepRing, if it is mostly empty.
func (r *ring[E]) trimIdle() {
	r.owner.Lock()
	defer r.owner.Unlock()
	switch {
	case r.n == 0:
		r.buf, r.lean = nil, 0
	case len(r.buf) > keepRing && r.n <= len(r.buf)/4:
		r.resize(max(keepRing, 2*r.n))
	}
}

// drain returns the values held, oldest first, and gives up the ring.
func (r *ring[E]) drain() []E {
	vs := make([]E, r.n)
	r.copyTo(vs)
	r.buf, r.head, r.n, r.peak, r.lean = nil, 0, 0, 0, 0
	return vs
}
