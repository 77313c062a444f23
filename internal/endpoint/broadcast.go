package endpoint

import (
	"context"
	"math"
	"math/bits"
	"slices"
	gosync "sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/netchan/netchan/codec"
	nsync "github.com/netchan/netchan/sync"
)

// Broadcaster hands every value a program sends on one channel to every
// Conn that feeds from it, as a broadcast listener does: each Conn sends
// the values of a Feed, its place in the ring of the latest values, with
// SendFeed.
//
// It receives a value from the channel only once every Feed has room for
// it, reserved in the Feed and in its Conn's window: so a send on the
// channel completes exactly when every client connected has room, and a
// client's capacity stays exact. With a stateless codec it encodes each
// value once, and every Feed carries the same bytes; a stateful codec's
// state belongs to one connection, so each Conn encodes for itself.
//
// A Feed that has no room, while values wait for its client, holds every
// other back: if neither its client's credits nor its connection took any
// for the stall timeout, the Broadcaster ends its session (see ready and
// cut). A Feed that stops gives nothing back: its values go
// nowhere, since the others have them. A Feed whose Conn is ending counts
// for nothing: should the last client leave after Run found room for it,
// the value Run takes next waits for the next client, who has it first,
// as though its send had waited; if Run ends first, it is reported
// undelivered.
//
// Run runs once; Add and Feed.Stop may be called from any goroutine,
// before Run or while it runs.
type Broadcaster[T any] struct {
	ch          <-chan T
	codec       codec.Codec // nil with a stateful codec: each Conn encodes
	stall       time.Duration
	undelivered func(v T, cause error)
	epoch       time.Time     // when a Feed moved counts from it
	waiting     atomic.Bool   // Run waits for room
	wake        chan struct{} // capacity 1: wakes Run

	// Run's: the value being encoded, and the encodings of the latest
	// values, one after the other, which they share.
	v    T
	slab []byte
	// Run's: a value it took that no client could have, as the last one
	// left: the next to come has it first, as though its send had waited
	// for it; or, if Run ends first, it is reported undelivered.
	kept *T

	// The values given, the one numbered n at slot(n), written by Run
	// under mu, read by each Feed's SendFeed; head numbers the next, end
	// the first after the close (math.MaxUint64 while open).
	ring []slot[T] // its length a power of two

	head atomic.Uint64
	end  atomic.Uint64

	mu    gosync.Mutex
	feeds []*Feed[T]
	// Since epoch, about when Run last gave the Feeds a value: it reads
	// the clock when it next needs it, and fresh says it gave one since.
	given time.Duration
	fresh bool
}

// slabSize is the size of the buffers that hold many values' encodings:
// one allocation for many values, and no more kept alive by the ring and
// the Feeds' groups than a few of them.
const slabSize = 4 << 10

// The ring's length is how far Run may be ahead of any Feed's SendFeed:
// the most a Feed holds. Its values wait there reserved in their Conns'
// windows, and said to be of their encodings' sizes (see
// conn.Stream.Sized), so that the window's byte budget does not count them
// as the largest values: a send pump behind then takes hundreds of values
// at a time, and a write carries as many. It holds maxRing values, or as
// many as ringBytes of T hold, at least minRing.
const (
	maxRing   = 1024
	minRing   = 64
	ringBytes = 64 << 10
)

// feedRingLen returns the length of the ring of values of T: a power of
// two.
func feedRingLen[T any]() int {
	n := max(min(maxRing, ringBytes/int(unsafe.Sizeof(slot[T]{}))), minRing)
	return 1 << (bits.Len(uint(n)) - 1)
}

// slot returns the slot of the value numbered n.
func (b *Broadcaster[T]) slot(n uint64) *slot[T] { return &b.ring[n&uint64(len(b.ring)-1)] }

// slot holds one value of the ring, and how many Feeds have yet to take
// it: the last one clears it, so that the program's value and its encoding
// are not kept alive for nothing.
type slot[T any] struct {
	shared[T]
	readers atomic.Int32
}

// NewBroadcaster returns a Broadcaster of the values sent on ch, encoded
// with c unless it is stateful, which cuts a Feed stalled for stall. It
// calls undelivered with a value it took that no Conn can have: one that
// c cannot encode, or one taken as ctx ended without room for it.
func NewBroadcaster[T any](ch <-chan T, c codec.Codec, stall time.Duration, undelivered func(v T, cause error)) *Broadcaster[T] {
	b := &Broadcaster[T]{ch: ch, stall: stall, undelivered: undelivered, epoch: time.Now(), wake: make(chan struct{}, 1),
		ring: make([]slot[T], feedRingLen[T]())}
	b.end.Store(math.MaxUint64)
	if _, stateful := c.(codec.Stateful); !stateful {
		b.codec = c
	}
	return b
}

// shared is one value on its way to the Feeds: v, and with a stateless
// codec its encoding, which every Feed shares.
type shared[T any] struct {
	v   T
	enc []byte
}

// Feed is a Conn's share of a Broadcaster's values: the values of the
// ring from next to the head, each of which holds a reservation of room in
// the Conn's window.
type Feed[T any] struct {
	c    *Conn[T]
	b    *Broadcaster[T]
	size int // how far Run may be ahead of SendFeed: the most f holds
	// Since b.epoch, when it last moved: SendFeed took a value, or a
	// credit came; or when Run last gave one (see b.given), if later.
	moved    atomic.Int64
	queued   atomic.Uint64 // the values before it are queued on the session, or refused
	sleeping atomic.Bool   // SendFeed waits for a value: Run wakes it
	wake     chan struct{} // capacity 1

	// SendFeed reads the ring under mu, which gone, once set, forbids:
	// Run no longer keeps the values of a Feed that is gone.
	mu   gosync.Mutex
	next atomic.Uint64 // the next value SendFeed takes
	gone bool          // Stop was called, or the Feed was cut; written under b.mu too

	// SendFeed's, for a group of values: a stateful codec's encodings, and
	// the encodings to queue.
	buf  []byte
	encs [][]byte

	// Guarded by b.mu: room Run reserved in the window and in the ring,
	// for values to come, at most spare; and the values Run gave f since
	// their sizes were last said to the window, with their sizes' sum.
	held, spare  int
	unsized      int
	unsizedBytes uint64
}

// Add gives c a Feed of size values, at least one and at most the ring's
// size, and returns it: c sends its values with SendFeed, and calls Stop
// once it no longer does. From now on c gets every value the program sends.
// Run reserves room for values to come a few at a time, at most what a
// sender may hold of c's window (see sync.MaxHold), and at least one.
func (b *Broadcaster[T]) Add(c *Conn[T], size int) *Feed[T] {
	f := &Feed[T]{c: c, b: b, size: min(max(size, 1), len(b.ring)), wake: make(chan struct{}, 1),
		spare: max(nsync.MaxHold(c.Capacity()), 1)}
	f.move()
	// Credits say the peer's program took values: room, and no stall. The
	// values themselves are not kept: a Feed's Conn reports none.
	c.s.OnAck(func(uint64) { f.move() })
	b.mu.Lock()
	h := b.head.Load()
	f.next.Store(h)
	f.queued.Store(h)
	if !b.closedLocked() { // once closed, f starts at the end
		b.feeds = append(b.feeds, f)
	}
	b.mu.Unlock()
	b.signal()
	return f
}

// Stop ends the Feed: the Broadcaster hands it no more values, and what
// it holds goes nowhere.
func (f *Feed[T]) Stop() {
	b := f.b
	b.mu.Lock()
	b.removeLocked(f)
	b.mu.Unlock()
	b.signal()
}

// removeLocked takes f off the list and gives back the room it held: what
// it reserved, and the values Run gave it that SendFeed did not take.
func (b *Broadcaster[T]) removeLocked(f *Feed[T]) {
	if f.gone {
		return
	}
	b.feeds = slices.DeleteFunc(b.feeds, func(o *Feed[T]) bool { return o == f })
	f.mu.Lock()
	f.gone = true
	h, next := b.head.Load(), f.next.Load()
	for n := next; n < h; n++ {
		b.slot(n).leave()
	}
	f.mu.Unlock()
	f.c.s.CancelN(f.held + int(h-next))
	f.held = 0
	signal(f.wake)
}

func (b *Broadcaster[T]) signal() { signal(b.wake) }

// leave says that one Feed will not read the slot again: the last clears it.
func (s *slot[T]) leave() {
	if s.readers.Add(-1) == 0 {
		s.shared = shared[T]{}
	}
}

// ending reports whether f's Conn is ending: it can send no more values,
// and its Feed goes once its pumps stop.
func (f *Feed[T]) ending() bool {
	select {
	case <-f.c.c.Ending():
		return true
	default:
		return false
	}
}

// move records that f moved, and tells Run, if it waits: f may have room
// again, and its stall clock starts again.
func (f *Feed[T]) move() {
	f.moved.Store(int64(time.Since(f.b.epoch)))
	if f.b.waiting.Load() {
		f.b.signal()
	}
}

// lastMoved returns when f last moved, since b.epoch: Run gave it a value
// when it last gave one to every Feed.
// b.mu is held.
func (f *Feed[T]) lastMoved() time.Duration {
	return max(time.Duration(f.moved.Load()), f.b.given)
}

// Run hands every value sent on the channel to every Feed, until the
// channel is closed, then closes every Feed, and those added later start
// closed; or until ctx ends. Then it still hands over, without waiting,
// what the program sent before, as Dispatcher.Run does: the Conns' SendFeed
// must go on until Run returned.
func (b *Broadcaster[T]) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	defer b.release()
	for {
		if !b.ready(ctx, timer) {
			b.finish(context.Cause(ctx))
			return
		}
		if b.kept != nil {
			if b.deliver(*b.kept, false) {
				b.kept = nil
			}
			continue
		}
		select {
		case v, ok := <-b.ch:
			if !ok {
				b.closeFeeds()
				return
			}
			if !b.deliver(v, false) {
				b.kept = new(v)
			}
		case <-b.wake: // a Feed came or went: look again
		case <-ctx.Done():
			b.finish(context.Cause(ctx))
			return
		}
	}
}

// deliver encodes v, if the codec is stateless, and puts it in the ring
// for every Feed, if one whose Conn is not ending has room: the last
// client may have left since ready looked. A Feed without room reserved is
// one added since then, whose window is fresh; or one whose Conn is
// ending, which gets nothing and goes. With all, v goes only if every Feed
// whose Conn is not ending has room. It reports whether v went.
func (b *Broadcaster[T]) deliver(v T, all bool) bool {
	s := shared[T]{v: v}
	if b.codec != nil {
		enc, err := b.encode(v)
		if err != nil {
			err, _ := encodeFailed(v, b.codec, err)
			b.undelivered(v, err)
			return true
		}
		s.enc = enc
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	live := false
	for _, f := range b.feeds {
		switch room := f.held > 0 || b.reserveLocked(f); {
		case !room:
			if all && !f.ending() {
				return false
			}
		case !live:
			live = !f.ending()
		}
	}
	if !live {
		return false // no client would have it
	}
	for i := 0; i < len(b.feeds); {
		if f := b.feeds[i]; f.held == 0 {
			b.removeLocked(f) // ending: what it holds goes nowhere
		} else {
			f.held--
			if s.enc != nil {
				f.unsized++
				f.unsizedBytes += uint64(len(s.enc))
			}
			i++
		}
	}
	// The slot is free: each Feed's room counted the values it has not
	// taken. A live Feed had room, so one at least reads it.
	h := b.head.Load()
	sl := b.slot(h)
	sl.shared = s
	sl.readers.Store(int32(len(b.feeds)))
	b.fresh = true
	b.head.Store(h + 1)
	for _, f := range b.feeds {
		// Once per sleep: the Feed may not run before the next value.
		if f.sleeping.Load() && f.sleeping.Swap(false) {
			signal(f.wake)
		}
	}
	return true
}

// encode encodes v at the end of the slab and returns its encoding, which
// no later value's overwrites. A small value that does not fit starts a
// new slab; a large one keeps the array the codec grew for it.
func (b *Broadcaster[T]) encode(v T) ([]byte, error) {
	b.v = v // a pointer to it does not escape, as one to v would
	start := len(b.slab)
	out, err := codec.AppendPointer(b.codec, b.slab, &b.v)
	var zero T
	b.v = zero
	if err != nil {
		return nil, err
	}
	enc := out[start:len(out):len(out)]
	switch {
	case cap(out) == cap(b.slab): // it fitted
		b.slab = out
	case len(enc) <= slabSize/4:
		b.slab = append(make([]byte, 0, slabSize), enc...)
		enc = b.slab[:len(enc):len(enc)]
	}
	return enc, nil
}

// reserveLocked reserves, once f holds no room, as much as the ring and
// its Conn's window have, and reports whether f holds some.
func (b *Broadcaster[T]) reserveLocked(f *Feed[T]) bool {
	if f.held > 0 {
		return true
	}
	// f holds no room for a value to come, as Sized needs, and SendFeed
	// cancels only values too large for the peer. Saying each value's
	// size as it is given would take the window's lock once per value and
	// client (docs/performance.md).
	if f.unsized > 0 {
		f.c.s.Sized(f.unsized, f.unsizedBytes)
		f.unsized, f.unsizedBytes = 0, 0
	}
	if free := min(f.size-int(b.head.Load()-f.next.Load()), f.spare); free > 0 {
		f.held = f.c.s.TryReserveN(free)
	}
	return f.held > 0
}

// finish hands over, without waiting, what the program sent before ctx
// ended, the value kept first: values while every Feed has room for them,
// a value that some Feed has no room for, or that no Feed would have,
// reported undelivered, and a close. It takes at most as many values as a
// Feed holds, and one: a program that goes on sending must not keep it
// for ever.
func (b *Broadcaster[T]) finish(cause error) {
	if v := b.kept; v != nil {
		b.kept = nil
		if !b.deliver(*v, true) {
			b.undelivered(*v, cause)
			return
		}
	}
	b.mu.Lock()
	n := 1
	for _, f := range b.feeds {
		n = max(n, f.size+1)
	}
	b.mu.Unlock()
	for range n {
		select {
		case v, ok := <-b.ch:
			if !ok {
				b.closeFeeds()
				return
			}
			if !b.deliver(v, true) {
				b.undelivered(v, cause)
				return
			}
		default:
			return
		}
	}
}

// release gives back the room Run holds, once it returned.
func (b *Broadcaster[T]) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.feeds {
		f.c.s.CancelN(f.held)
		f.held = 0
	}
}

// closedLocked reports whether the channel was closed: Feeds added since
// start closed. b.mu is held.
func (b *Broadcaster[T]) closedLocked() bool { return b.end.Load() != math.MaxUint64 }

// closeFeeds closes every Feed, once the channel was closed.
func (b *Broadcaster[T]) closeFeeds() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closedLocked() {
		return
	}
	b.end.Store(b.head.Load())
	for _, f := range b.feeds {
		signal(f.wake)
	}
}
