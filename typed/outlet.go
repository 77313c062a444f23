package typed

import (
	"context"
	gosync "sync"
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
// values outstanding than the capacity allows. So the Outlet remembers whose
// values are in the buffer, oldest first, and every time a value goes in it
// learns from the channel's length how many the program took since, and
// frees their connections' capacity then.
//
// That needs a value to go in. A connection whose capacity, less what its
// sender may keep for values not yet sent (sync.MaxHold), is no larger than
// the buffer may have all its outstanding values there, and its sender
// waits for capacity while nothing comes to go in; then a timer checks the
// channel instead, sooner at first and less often the longer nothing
// changes. A connection with a larger capacity always has a value to come.
//
// An Outlet suits a few connections. Fed by 10,000, a buffered Outlet
// took in values ten times slower than an unbuffered one (size 0), which
// the program takes values from straight from the goroutines waiting to
// hand them over; netchan.Listen does not buffer for that reason. The
// cause is not pinned down: a version that never waited for the lock did
// no better.
type Outlet[T any] struct {
	ch chan T
	// mu is held while a value goes in, so owners follow the channel's
	// order. A push waiting for room holds it: the others could not go in
	// either, and they are let in, each in turn, as the program takes.
	mu gosync.Mutex

	// Guarded by mu.
	owners  []*Conn[T] // a ring: whose values are in the buffer, oldest first
	head, n int
	stalled int // connections whose values in the buffer may be all their sender can send
	timer   *time.Timer
	armed   bool
	delay   time.Duration
	closed  bool
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
	return &Outlet[T]{
		ch:     make(chan T, max(size, 0)),
		owners: make([]*Conn[T], max(size, 0)+1),
		delay:  pollFirst,
	}
}

// C returns the channel the program receives from.
func (o *Outlet[T]) C() <-chan T { return o.ch }

// Close closes the channel. No RecvToOutlet may run on o then or after.
// Values still in the buffer stay there for the program to receive. It is
// idempotent.
func (o *Outlet[T]) Close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.closed = true
	if o.timer != nil {
		o.timer.Stop()
	}
	close(o.ch)
}

// push puts v, c's, in the channel, waiting for room while ctx lasts.
func (o *Outlet[T]) push(ctx context.Context, c *Conn[T], v T) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	select {
	case o.ch <- v:
	default:
		select {
		case o.ch <- v:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	o.enteredLocked(c)
	return nil
}

// tryPush puts v, c's, in the channel if that needs no wait.
func (o *Outlet[T]) tryPush(c *Conn[T], v T) bool {
	if !o.mu.TryLock() {
		return false
	}
	defer o.mu.Unlock()
	select {
	case o.ch <- v:
	default:
		return false
	}
	o.enteredLocked(c)
	return true
}

// enteredLocked records a value of c's that went in, then frees the
// capacity of those the program took.
func (o *Outlet[T]) enteredLocked(c *Conn[T]) {
	o.owners[(o.head+o.n)%len(o.owners)] = c
	o.n++
	c.outletHeld++
	if c.outletHeld == c.stallAt() {
		o.stalled++
	}
	o.settleLocked()
	if o.stalled > 0 {
		o.armLocked()
	}
}

// settleLocked frees the capacity of every value the program took out of
// the channel: all but the len(ch) newest of those that went in. It
// reports whether that freed a connection that had all its capacity in
// the buffer.
func (o *Outlet[T]) settleLocked() (unstalled bool) {
	var run *Conn[T] // the owner of the values counted in n
	n := 0
	for range o.n - len(o.ch) {
		c := o.owners[o.head]
		o.owners[o.head] = nil
		o.head = (o.head + 1) % len(o.owners)
		o.n--
		if c.outletHeld == c.stallAt() {
			o.stalled--
			unstalled = true
		}
		c.outletHeld--
		if c != run {
			if run != nil {
				run.s.TakeN(n)
			}
			run, n = c, 0
		}
		n++
	}
	if run != nil {
		run.s.TakeN(n)
	}
	return unstalled
}

func (o *Outlet[T]) armLocked() {
	if o.armed || o.closed {
		return
	}
	o.armed = true
	if o.timer == nil {
		o.timer = time.AfterFunc(o.delay, o.poll)
	} else {
		o.timer.Reset(o.delay)
	}
}

// poll is the timer's check. It waits for the lock, which a push may
// hold while the program takes nothing: it would find nothing taken then.
func (o *Outlet[T]) poll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.armed = false
	if o.settleLocked() {
		o.delay = pollFirst
	} else {
		o.delay = min(2*o.delay, pollMax)
	}
	if o.stalled > 0 {
		o.armLocked()
	}
}

// sink is where RecvTo hands values: a program's channel or an Outlet.
type sink[T any] interface {
	// offer hands v over if that needs no wait and reports whether it
	// did. A value handed over is the sink's to count as received.
	offer(v T) bool
	// put hands v over, waiting while ctx lasts.
	put(ctx context.Context, v T) error
}

// chanSink hands values to a program's channel; a send that completes is
// the program receiving the value, which take reports.
type chanSink[T any] struct {
	ch   chan<- T
	take func()
}

func (s chanSink[T]) offer(v T) bool {
	if trySend(s.ch, v) {
		s.take()
		return true
	}
	return false
}

func (s chanSink[T]) put(ctx context.Context, v T) error {
	select {
	case s.ch <- v:
		s.take()
		return nil
	default:
	}
	select {
	case s.ch <- v:
		s.take()
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// outletSink hands c's values to a buffered Outlet, which counts them as
// received.
type outletSink[T any] struct {
	c *Conn[T]
	o *Outlet[T]
}

func (s outletSink[T]) offer(v T) bool                     { return s.o.tryPush(s.c, v) }
func (s outletSink[T]) put(ctx context.Context, v T) error { return s.o.push(ctx, s.c, v) }
