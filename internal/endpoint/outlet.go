package endpoint

import (
	"context"
	gosync "sync"
	"sync/atomic"
	"time"
)

// Outlet is a buffered channel fed by the RecvToOutlet of any number of
// Conns. It counts a value as received by the program when the program
// takes it out of the channel, not when it enters the buffer, so each
// connection's capacity stays exact.
//
// A buffer lets values pass to a program that keeps up without a goroutine
// hand-off each. But a value in the buffer has not been received yet: if it
// freed capacity on entering, its sender could have the buffer's size more
// values outstanding than the capacity allows. So the Outlet keeps track of
// whose values went in, and frees their capacity once it knows the program
// took them. It checks each time a value goes in, and on a timer while a
// sender may be waiting for them with nothing left to send, sooner at first
// and less often the longer nothing changes.
//
// A value goes in one of two ways. Under the Outlet's lock, it is recorded
// in the channel's order, and freed as soon as the program took it: the
// channel holds the newest values, so of those recorded, all but len(ch)
// were taken. But a lock that many pushes queue for is slow: with
// thousands of connections, each unlock handed it to a goroutine that then
// had to wait its turn to run, and values went in at one per turn of the
// scheduler, ten times slower than through an unbuffered channel. So a
// push waits for the lock behind 64 others at most. The rest go in
// without it, waiting in the channel's own send if the buffer is full,
// where the program's receive moves them in with no goroutine of netchan's
// having to run first. Those are only counted, per connection, and freed
// once the Outlet knows they were taken: when the channel is empty, or
// when more values than it holds went in under the lock after them. Under
// such load capacity frees in bursts, at the latest once the senders ran
// out of it and the channel drained.
type Outlet[T any] struct {
	ch chan T

	// Values that went in under mu.
	mu       gosync.Mutex
	owners   []*Conn[T] // a ring: whose values went in, oldest first
	head, n  int
	stalled  atomic.Int64  // connections whose values recorded under mu may be all their sender can send; written under mu
	waiters  atomic.Int64  // pushes waiting for mu
	lockedIn atomic.Uint64 // values that went in under mu, ever

	// Values that went in without mu.
	loose    atomic.Int64            // not freed
	dirty    atomic.Pointer[Conn[T]] // a stack, through Conn.outletNext, of connections with such values
	settling atomic.Bool             // a settleLoose runs; it owns batch
	batch    []looseSeen[T]

	armed atomic.Bool  // the timer is set
	delay atomic.Int64 // its next delay, a time.Duration

	timerMu gosync.Mutex // guards timer and closed
	timer   *time.Timer
	closed  bool
}

// looseSeen is what settleLooseAll read of a connection: its count of
// values in without the lock, and its stamp.
type looseSeen[T any] struct {
	c  *Conn[T]
	n  int64
	at uint64
}

// The check for taken values when none goes in starts after pollFirst and
// backs off to pollMax.
const (
	pollFirst = 20 * time.Microsecond
	pollMax   = 10 * time.Millisecond
)

// NewOutlet returns an Outlet whose channel buffers size values. With size
// 0 every value is handed from a connection's goroutine to the program, as
// by RecvTo.
func NewOutlet[T any](size int) *Outlet[T] {
	o := &Outlet[T]{
		ch:     make(chan T, max(size, 0)),
		owners: make([]*Conn[T], max(size, 0)+1),
	}
	o.delay.Store(int64(pollFirst))
	return o
}

// C returns the channel the program receives from.
func (o *Outlet[T]) C() <-chan T { return o.ch }

// Close closes the channel. No RecvToOutlet may run on o then or after.
// Values still in the buffer stay there for the program to receive. It is
// idempotent.
func (o *Outlet[T]) Close() {
	o.timerMu.Lock()
	defer o.timerMu.Unlock()
	if o.closed {
		return
	}
	o.closed = true
	if o.timer != nil {
		o.timer.Stop()
	}
	close(o.ch)
}

// push puts vs, c's, in the channel in order, waiting for room while ctx
// lasts, and returns how many went in. With the lock, it keeps it while it
// waits: while the channel is full, no value recorded under the lock is
// known taken, and a few pushes waiting for the lock behind it are let in
// each in turn, the others without it.
func (o *Outlet[T]) push(ctx context.Context, c *Conn[T], vs []T) (int, error) {
	o.settleLoose()
	locked := o.lock()
	if locked {
		defer o.mu.Unlock()
	}
	for i, v := range vs {
		select {
		case o.ch <- v:
			o.entered(c, locked)
			continue
		default:
		}
		if i > 0 {
			// Values the program took may be all a sender can send, and
			// this wait, holding the lock, may be long: free them first.
			o.pushed(locked)
		}
		select {
		case o.ch <- v:
		case <-ctx.Done():
			o.pushed(locked)
			return i, context.Cause(ctx)
		}
		o.entered(c, locked)
	}
	o.pushed(locked)
	return len(vs), nil
}

// pushed ends a push: values recorded under the lock that
// the program took are freed, once for all those that went in, and the
// timer is set if a sender may wait for values with none to come.
func (o *Outlet[T]) pushed(locked bool) {
	if locked {
		o.settleLocked()
	}
	if o.mustPoll() {
		o.arm()
	}
}

// lock takes the lock, waiting for it behind at most lockWaiters others,
// and reports whether it did. The rest go in without it.
func (o *Outlet[T]) lock() bool {
	if o.mu.TryLock() {
		return true
	}
	if o.waiters.Add(1) > lockWaiters {
		o.waiters.Add(-1)
		return false
	}
	o.mu.Lock()
	o.waiters.Add(-1)
	return true
}

// lockWaiters is how many pushes may wait for the lock: up to that many
// connections pushing at once have their values freed as soon as the
// program took them, and the lock cannot gather a queue of thousands.
const lockWaiters = 64

// entered records a value of c's that went in, with mu held if locked.
// pushed then settles it: several values may go in first.
func (o *Outlet[T]) entered(c *Conn[T], locked bool) {
	if locked {
		if o.n == len(o.owners) {
			// The ring is full: the channel holds fewer, so some were
			// taken, and freeing them makes room.
			o.settleLocked()
		}
		o.owners[(o.head+o.n)%len(o.owners)] = c
		o.n++
		o.lockedIn.Add(1)
		o.heldLocked(c, 1)
	} else {
		// The most, not the latest: two goroutines may push for c, and
		// settleLooseAll needs a stamp no older than any counted value's.
		for stamp := o.lockedIn.Load(); ; {
			old := c.outletStamp.Load()
			if stamp <= old || c.outletStamp.CompareAndSwap(old, stamp) {
				break
			}
		}
		c.outletLoose.Add(1)
		o.loose.Add(1)
		o.markDirty(c)
	}
}

// mustPoll says a sender may wait for values taken with none to come that
// would show it: a connection's values in under the lock may be all its
// sender can send, or values went in without it, which only a settle that
// finds the channel empty, or the timer's, may free.
func (o *Outlet[T]) mustPoll() bool { return o.stalled.Load() > 0 || o.loose.Load() > 0 }

// heldLocked adds k to c's values in under the lock and not freed,
// counting c as stalled while they may be all its sender can send.
func (o *Outlet[T]) heldLocked(c *Conn[T], k int) {
	at := c.stallAt()
	before := c.outletHeld
	c.outletHeld += k
	switch {
	case before < at && c.outletHeld >= at:
		o.stalled.Add(1)
	case before >= at && c.outletHeld < at:
		o.stalled.Add(-1)
	}
}

// settleLocked frees the capacity of every value recorded under mu that
// the program took out of the channel: all but the len(ch) newest. It
// reports whether it freed any.
func (o *Outlet[T]) settleLocked() (freed bool) {
	var run *Conn[T] // the owner of the values counted in n; nil for released ones
	n := 0
	free := func() {
		if run != nil {
			o.heldLocked(run, -n)
			run.s.TakeN(n)
			freed = true
		}
	}
	for range o.n - len(o.ch) {
		c := o.owners[o.head]
		o.owners[o.head] = nil
		o.head = (o.head + 1) % len(o.owners)
		o.n--
		if c != run {
			free()
			run, n = c, 0
		}
		n++
	}
	free()
	return freed
}

// release counts every value of c's in the channel as received: c's peer
// closed its side, and they are the program's, whose channel holds them,
// as a Go channel's buffer holds values sent before its close. c's credits
// must count them before it ends. No push for c may run then or after.
func (o *Outlet[T]) release(c *Conn[T]) {
	o.mu.Lock()
	n := 0
	for i := range o.n {
		if j := (o.head + i) % len(o.owners); o.owners[j] == c {
			o.owners[j] = nil // still in the channel, and no one's to free
			n++
		}
	}
	o.heldLocked(c, -n)
	loose := c.outletLoose.Swap(0)
	o.loose.Add(-loose)
	o.mu.Unlock()
	c.s.TakeN(n + int(loose))
}

// markDirty puts c on the stack of connections with values to free,
// unless it is there.
func (o *Outlet[T]) markDirty(c *Conn[T]) {
	if !c.outletDirty.CompareAndSwap(false, true) {
		return
	}
	for {
		head := o.dirty.Load()
		c.outletNext = head
		if o.dirty.CompareAndSwap(head, c) {
			return
		}
	}
}

// settleLoose frees the capacity of the values that went in without the
// lock and are known to be taken, if the channel is empty: then all were.
// That is the cheap case a push looks for. It gives up at once if another
// settleLoose runs, and reports whether it freed any.
func (o *Outlet[T]) settleLoose() (freed bool) {
	if len(o.ch) > 0 || o.loose.Load() == 0 {
		return false
	}
	return o.settleLooseAll()
}

// settleLooseAll is settleLoose whether or not the channel is empty. The
// channel holds the newest values: a value was taken once as many values
// as the channel holds went in after it. The values counted in lockedIn
// since a connection's latest loose value was counted went in after all
// of its loose values, but for one: a value in under the lock is counted
// just after it went in.
func (o *Outlet[T]) settleLooseAll() (freed bool) {
	if o.loose.Load() == 0 || !o.settling.CompareAndSwap(false, true) {
		return false
	}
	defer o.settling.Store(false)
	batch := o.batch[:0]
	for c := o.dirty.Swap(nil); c != nil; {
		next := c.outletNext
		c.outletNext = nil
		c.outletDirty.Store(false) // from here, a value of c's that goes in puts it back
		batch = append(batch, looseSeen[T]{c: c})
		c = next
	}
	// Each count first, then its stamp (entered stores them the other
	// way round), then the values in under the lock, then the channel:
	// every value counted went in before the stamp loaded was taken, the
	// most of theirs.
	for i := range batch {
		batch[i].n = batch[i].c.outletLoose.Load()
		batch[i].at = batch[i].c.outletStamp.Load()
	}
	after := o.lockedIn.Load()
	held := uint64(len(o.ch))
	for i, b := range batch {
		switch {
		case b.n > 0 && (held == 0 || after-b.at > held):
			// A value of c's counted since is on the stack again.
			if takeLoose(b.c, b.n) {
				o.loose.Add(-b.n)
				b.c.s.TakeN(int(b.n))
				freed = true
			}
		case b.c.outletLoose.Load() > 0:
			o.markDirty(b.c)
		}
		batch[i] = looseSeen[T]{}
	}
	o.batch = batch[:0]
	return freed
}

// takeLoose takes n off c's count of values in without the lock, unless
// release took them all since they were counted.
func takeLoose[T any](c *Conn[T], n int64) bool {
	for {
		cur := c.outletLoose.Load()
		if cur < n {
			return false
		}
		if c.outletLoose.CompareAndSwap(cur, cur-n) {
			return true
		}
	}
}

// arm sets the timer unless it is set.
func (o *Outlet[T]) arm() {
	if o.armed.Load() || !o.armed.CompareAndSwap(false, true) {
		return
	}
	o.timerMu.Lock()
	defer o.timerMu.Unlock()
	if o.closed {
		return
	}
	d := time.Duration(o.delay.Load())
	if o.timer == nil {
		o.timer = time.AfterFunc(d, o.poll)
	} else {
		o.timer.Reset(d)
	}
}

// poll is the timer's check, set again while values wait to be freed. It
// does not wait for the lock: whoever holds it frees what it can.
func (o *Outlet[T]) poll() {
	freed := o.settleLooseAll()
	if o.mu.TryLock() {
		freed = o.settleLocked() || freed
		o.mu.Unlock()
	}
	if freed {
		o.delay.Store(int64(pollFirst))
	} else {
		o.delay.Store(int64(min(2*time.Duration(o.delay.Load()), pollMax)))
	}
	o.armed.Store(false)
	if o.mustPoll() {
		o.arm()
	}
}

// sink is where RecvTo hands values: a program's channel or an Outlet.
type sink[T any] interface {
	// putAll hands vs over in order, waiting while ctx lasts, and returns
	// how many it handed over.
	putAll(ctx context.Context, vs []T) (int, error)
}

// chanSink hands values to a program's channel; a send that completes is
// the program receiving the value, which take reports.
type chanSink[T any] struct {
	ch   chan<- T
	take func(n int)
}

// putAll reports the values that went in together, once it has to wait or
// is done: a take costs two locks.
func (s chanSink[T]) putAll(ctx context.Context, vs []T) (put int, err error) {
	taken := 0
	defer func() { s.take(put - taken) }()
	for i, v := range vs {
		select {
		case s.ch <- v:
			put++
			continue
		default:
		}
		s.take(put - taken) // the peer may wait for them while this waits
		taken = put
		select {
		case s.ch <- v:
			put++
		case <-ctx.Done():
			return i, context.Cause(ctx)
		}
	}
	return put, nil
}

// outletSink hands c's values to a buffered Outlet, which counts them as
// received.
type outletSink[T any] struct {
	c *Conn[T]
	o *Outlet[T]
}

func (s outletSink[T]) putAll(ctx context.Context, vs []T) (int, error) {
	return s.o.push(ctx, s.c, vs)
}
