package endpoint

import (
	"context"
	"sync"

	"github.com/netchan/netchan/internal/options"
)

// LockOutlet holds o's lock, with as many pushes counted as waiting for it
// as may, until release is called: every value then goes in without the
// lock, and the tests reach the Outlet's unlocked path so.
func LockOutlet[T any](o *Outlet[T]) (release func()) {
	o.mu.Lock()
	o.waiters.Add(lockWaiters)
	return func() {
		o.waiters.Add(-lockWaiters)
		o.mu.Unlock()
	}
}

// Took is how many values left c's inbox for a receive.
func Took[T any](c *Conn[T]) uint64 {
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	return c.in.left
}

// Waiting is how many values arrived on c that no receive took yet.
func Waiting[T any](c *Conn[T]) int { return c.in.Len() }

// HoldOutletLock holds o's lock until release is first called.
func HoldOutletLock[T any](o *Outlet[T]) (release func()) {
	o.mu.Lock()
	return sync.OnceFunc(o.mu.Unlock)
}

// OutletLockWaiters is how many pushes wait for o's lock.
func OutletLockWaiters[T any](o *Outlet[T]) int64 { return o.waiters.Load() }

// DialWith is Dial with options rather than settings.
func DialWith[T any](ctx context.Context, addr string, opts ...options.Option) (*Conn[T], error) {
	s, err := options.Resolve(opts)
	if err != nil {
		return nil, err
	}
	return Dial[T](ctx, addr, s)
}

// ListenWith is Listen with options rather than settings.
func ListenWith[T any](ctx context.Context, addr string, opts ...options.Option) (*Listener[T], error) {
	s, err := options.Resolve(opts)
	if err != nil {
		return nil, err
	}
	return Listen[T](ctx, addr, s)
}

// AwaitsValue reports whether b's Run holds room in every Feed, of which
// there is one, and waits for the program's next value with nothing
// pending to wake it: unless it is about to look again, having just been
// woken, it takes the next value sent whatever happens to the Feeds now.
func AwaitsValue[T any](b *Broadcaster[T]) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.feeds) == 0 || b.waiting.Load() || len(b.wake) > 0 {
		return false
	}
	for _, f := range b.feeds {
		if f.held == 0 {
			return false
		}
	}
	return true
}

// AwaitsRoom reports whether b's Run waits for room in a Feed, or for one.
func AwaitsRoom[T any](b *Broadcaster[T]) bool { return b.waiting.Load() }

// HoldSendLock holds c's send lock, as a send does, until release.
func HoldSendLock[T any](c *Conn[T]) (release func()) {
	c.sendMu.Lock()
	return c.sendMu.Unlock
}

// Acks is the count of values the peer's program took, as c's reader
// last heard it.
func Acks[T any](c *Conn[T]) uint64 { return c.acks.Load() }

// RingLen is how far a Broadcaster's Run may be ahead of a Feed, for
// values of T.
func RingLen[T any]() int { return feedRingLen[T]() }
