package endpoint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	gosync "sync"
	"sync/atomic"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/chans"
	"github.com/netchan/netchan/internal/options"
)

// inbox decodes a connection's values as they arrive, in the goroutine
// reading the connection, and keeps them until the program receives them.
// Values are decoded in arrival order, which a stateful codec needs.
//
// Its queue is a ring (see ring), rather than a channel of the window's
// size.
type inbox[T any] struct {
	codec  codec.Codec
	window int

	mu      gosync.Mutex
	q       ring[arrival[T]]
	count   atomic.Int64 // values waiting, for Len without the lock
	left    uint64       // values taken, which numbers them
	closed  bool
	waiting int           // goroutines in wait
	ready   chan struct{} // capacity 1: a value arrived into an empty ring, or the stream closed
	scratch *T            // what values are decoded into; the reading goroutine's alone
	got     []arrival[T]  // values decoded, not yet queued; the reading goroutine's alone

	// For a T that holds channels: how its values travel, and what
	// carries their channels.
	plan *chans.Plan
	nest *nest
}

// arrival is one decoded value, or why it could not be decoded.
type arrival[T any] struct {
	v        T
	err      error        // wraps ErrDecode
	panicked *decodePanic // the codec panicked
}

// inboxes returns the Config.Inbox function for connections of T with
// the settings s: each connection gets a codec of its own, and, if T holds
// channels (plan is not nil), what carries them.
func inboxes[T any](s *options.Settings, plan *chans.Plan, d *drains) func(*conn.Session, int) conn.Inbox {
	return func(cs *conn.Session, window int) conn.Inbox {
		in := &inbox[T]{codec: codec.ForConnection(s.Codec), window: window, ready: make(chan struct{}, 1), scratch: new(T)}
		in.q.owner = &in.mu
		if plan != nil {
			in.plan, in.nest = plan, newNest(cs, s.Codec, s.Report, d)
		}
		return in
	}
}

// Arrive decodes values, then queues them in one step. A value the codec
// refuses is kept as an error for the receive that would have returned it,
// except one beyond the codec's limits: that is hostile, not a mistake,
// and ends the connection.
func (in *inbox[T]) Arrive(values [][]byte) error {
	if len(values) == 1 { // a data frame's: nothing to gather
		var one [1]arrival[T]
		one[0] = in.decode(values[0])
		if err := refused(&one[0]); err != nil {
			return err
		}
		return in.queue(one[:])
	}
	for len(values) > 0 {
		n := min(len(values), arriveChunk)
		got := in.got[:0]
		var broken error // ends the connection, after the values before it
		for _, v := range values[:n] {
			got = append(got, in.decode(v))
			if broken = refused(&got[len(got)-1]); broken != nil {
				got = got[:len(got)-1]
				break
			}
		}
		values = values[n:]
		err := in.queue(got)
		clear(got) // the values are the program's now
		in.got = got[:0]
		if err := cmp.Or(err, broken); err != nil {
			return err
		}
	}
	return nil
}

// refused returns an error that ends the connection if a is hostile.
func refused[T any](a *arrival[T]) error {
	switch {
	case a.err == nil:
	case hostile(a.err): // the value names streams it may not
		return a.err
	case errors.Is(a.err, codec.ErrLimitExceeded):
		return fmt.Errorf("%w: %w", conn.ErrLimit, a.err)
	}
	return nil
}

// queue puts decoded values in the ring, and wakes a receiver if it was
// empty.
func (in *inbox[T]) queue(as []arrival[T]) error {
	in.mu.Lock()
	if in.q.n+len(as) > in.window {
		in.mu.Unlock()
		// The stream's window bounds what arrives; unreachable unless
		// that invariant broke.
		return fmt.Errorf("%w: more values than the window", conn.ErrProtocol)
	}
	for i := range as {
		in.q.push(as[i], in.window)
	}
	in.count.Store(int64(in.q.n))
	first := in.q.n == len(as)
	in.mu.Unlock()
	if first {
		in.signal()
	}
	return nil
}

// arriveChunk is how many values Arrive decodes before it queues them: a
// frame of many small values takes the lock once per chunk, and the
// decoded values wait in a buffer of bounded size.
const arriveChunk = 64

func (in *inbox[T]) signal() { signal(in.ready) }

// decode runs the codec. A panic in it is the program's bug, in the codec
// or in a type's own decoding method; it is kept and raised again in the
// goroutine that receives the value, where the program can see it, rather
// than crash the process from netchan's reader.
func (in *inbox[T]) decode(value []byte) (a arrival[T]) {
	var zero T
	defer func() {
		if r := recover(); r != nil {
			*in.scratch = zero
			a = arrival[T]{panicked: &decodePanic{value: r, stack: debug.Stack()}}
		}
	}()
	// Into a value of the inbox's own, reused: a fresh one would escape
	// to the heap, one allocation per value. It is left zero, so that the
	// next value does not inherit fields and nothing stays alive.
	var err error
	if in.plan == nil {
		err = in.codec.Unmarshal(value, in.scratch)
	} else {
		err = in.nest.decode(in.codec, value, in.plan, reflect.ValueOf(in.scratch).Elem(), 1)
	}
	a.v, *in.scratch = *in.scratch, zero
	if err != nil {
		a.err = fmt.Errorf("%w %v with %s: %w", ErrDecode, reflect.TypeFor[T](), in.codec.Name(), err)
	}
	return a
}

func (in *inbox[T]) Close() {
	in.mu.Lock()
	in.closed = true
	in.mu.Unlock()
	in.signal()
}

func (in *inbox[T]) Len() int { return int(in.count.Load()) }

// pop takes the oldest value, and returns its number in the order values
// were taken. ok is false when there is none; closed says then that none
// will come.
func (in *inbox[T]) pop() (a arrival[T], n uint64, ok, closed bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.q.n == 0 {
		if in.closed {
			in.passWakeLocked()
		}
		return a, 0, false, in.closed
	}
	n = in.left
	a = in.popLocked()
	if in.q.n > 0 || in.closed {
		// The close may have shared this wake-up: another waiting
		// receive must hear of it, or of the values left.
		in.passWakeLocked()
	}
	return a, n, true, false
}

// passWakeLocked passes the wake-up on to another goroutine waiting, if
// any: an arrival wakes one, when the ring was empty, and more may have
// come since.
func (in *inbox[T]) passWakeLocked() {
	if in.waiting > 0 {
		in.signal()
	}
}

// popMore appends to dst up to max more values that are waiting, without
// waiting for any, and stops before one that could not be decoded: that
// one is for next to return alone. first is the number of the first
// value appended; the others follow it.
func (in *inbox[T]) popMore(dst []T, max int) (_ []T, first uint64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	first = in.left
	for range max {
		if in.q.n == 0 {
			break
		}
		if a := in.q.front(); a.err != nil || a.panicked != nil {
			break
		}
		dst = append(dst, in.popLocked().v)
	}
	return dst, first
}

// popLocked takes the oldest value; there is one.
func (in *inbox[T]) popLocked() arrival[T] {
	a := in.q.pop() // the program owns the value now
	in.left++
	in.count.Store(int64(in.q.n))
	return a
}

// next waits for the next value, and returns its number in the order
// values were taken. It returns ok false once the peer closed the stream
// and every value was taken, ctx's cause if ctx ends first, and c's error
// if c ended with no value waiting. Values that arrived before c ended are
// still returned. Any number of goroutines may call it at once.
func (in *inbox[T]) next(ctx context.Context, c *conn.Session) (a arrival[T], n uint64, ok bool, err error) {
	err = c.Await(ctx,
		func() (bool, error) {
			var closed bool
			a, n, ok, closed = in.pop()
			return ok || closed, nil
		},
		func() (err error) {
			a, n, ok, err = in.wait(ctx, c)
			return err
		})
	return a, n, ok, err
}

// wait is next once the values come from another goroutine.
func (in *inbox[T]) wait(ctx context.Context, c *conn.Session) (arrival[T], uint64, bool, error) {
	if a, n, ok, closed := in.pop(); ok || closed {
		return a, n, ok, nil
	}
	in.mu.Lock()
	in.waiting++
	in.mu.Unlock()
	defer func() {
		in.mu.Lock()
		in.waiting--
		in.mu.Unlock()
	}()
	for {
		if a, n, ok, closed := in.pop(); ok || closed {
			return a, n, ok, nil
		}
		select {
		case <-in.ready:
		case <-ctx.Done():
			return arrival[T]{}, 0, false, context.Cause(ctx)
		case <-c.Done():
			if a, n, ok, closed := in.pop(); ok || closed {
				return a, n, ok, nil
			}
			return arrival[T]{}, 0, false, c.Err()
		}
	}
}

// decodePanic is a panic raised while decoding, with the stack of the
// goroutine that decoded, raised again where the value is received.
type decodePanic struct {
	value any
	stack []byte
}

func (p *decodePanic) Error() string {
	return fmt.Sprintf("netchan: panic while decoding a value: %v\n\ndecoding goroutine:\n%s", p.value, p.stack)
}

// Unwrap returns the panic's value when it is an error.
func (p *decodePanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}
