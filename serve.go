package netchan

import (
	"cmp"
	"context"
	"errors"
	gosync "sync"

	"github.com/netchan/netchan/internal/endpoint"
)

// link is one connection of the channel API, served by two pumps, one per
// direction, which share the report of its failure.
type link[T any] struct {
	c     *endpoint.Conn[T]
	r     reporter
	once  gosync.Once
	ended error // the failure reported, if any
}

// serveDial runs a Dial's connection: values from in go to the peer, and
// the peer's values to out, until each direction is done; then it closes
// the connection, then out if ctx ended, and calls OnDone. After a failure
// every value sent on in is reported as undelivered, since no one else will
// take it.
func serveDial[T any](ctx context.Context, c *endpoint.Conn[T], in <-chan T, out chan T, r reporter) {
	k := &link[T]{c: c, r: r}
	var wg gosync.WaitGroup
	wg.Go(func() { k.sendDial(ctx, in) })
	var closeLast bool
	wg.Go(func() {
		err := c.RecvToBuffer(ctx, out, k.report)
		if ctx.Err() != nil {
			// Cancelled: close out only once everything stopped, so that a
			// program that waits for it waits for netchan too.
			closeLast = true
			return
		}
		close(out)
		if err != nil {
			k.fail(err)
		}
	})
	wg.Wait()
	k.close(ctx)
	if closeLast {
		close(out)
	}
	k.done()
}

// sendDial sends the values of a Dial's send channel until it is closed,
// ctx ends or the connection fails.
func (k *link[T]) sendDial(ctx context.Context, in <-chan T) {
	err := k.sendLoop(ctx, func() error { return k.c.SendFrom(ctx, in) })
	switch {
	case err == nil:
	case ctx.Err() != nil:
		k.reportUndelivered(err) // values the program handed over as ctx ended
		leftovers(in, k.r, context.Cause(ctx))
	default:
		failure := k.fail(err)
		// The values the peer had not taken, reported as the session
		// ended, were sent before those.
		<-k.c.Done()
		k.reportUndelivered(err)
		drain(ctx, in, k.r, failure)
	}
}

// serveClient runs a connection a Listen accepted: the values of its lane
// go to the peer, and the peer's values to out, shared with the other
// clients, until each direction is done; then it closes the connection. It
// returns the values it took from the lane and could not send because the
// connection ended, for other clients to take, and done, which calls
// OnDone once the caller has dealt with them.
func serveClient[T any](ctx context.Context, c *endpoint.Conn[T], lane *endpoint.Lane[T], out *endpoint.Outlet[T], r reporter) (inHand []T, done func()) {
	k := &link[T]{c: c, r: r}
	var wg gosync.WaitGroup
	wg.Go(func() {
		err := k.sendLoop(ctx, func() error { return k.c.SendLane(ctx, lane) })
		switch {
		case err == nil:
		case ctx.Err() != nil:
			k.reportUndelivered(err) // the listener is ending: no client takes them
		case errors.Is(err, ErrPeerClosed):
			// A client that leaves is no failure: what it had not
			// taken goes to the other clients.
			inHand = endpoint.UndeliveredValues[T](err)
		default:
			k.fail(err)
			inHand = endpoint.UndeliveredValues[T](err)
		}
	})
	wg.Go(func() {
		if err := c.RecvToOutlet(ctx, out, k.report); err != nil && ctx.Err() == nil {
			k.fail(err)
		}
	})
	wg.Wait()
	k.close(ctx)
	return inHand, k.done
}

// close closes the connection once both pumps stopped, resuming through
// cuts until ctx ends if need be. A session lost as it closes, through a
// cut it could not resume from, is a failure: the values the peer may not
// have are reported as it ends.
func (k *link[T]) close(ctx context.Context) {
	_ = k.c.CloseContext(ctx)
	if err := k.c.Err(); errors.Is(err, ErrSessionLost) {
		k.fail(err)
	}
}

// sendLoop runs send until it returns nil, ctx ends, or the connection
// fails. A value that cannot be encoded, is too large, or is refused for a
// limit or a channel netchan carries already is reported and sending goes
// on; so does every value after a stateful codec broke the send side: the
// connection still receives, so nothing would drain the program's sends,
// and a sender would be stuck.
func (k *link[T]) sendLoop(ctx context.Context, send func() error) error {
	for {
		err := send()
		if err == nil || ctx.Err() != nil || k.c.Err() != nil || endpoint.UndeliveredValues[T](err) == nil ||
			!refused(err) {
			return err
		}
		k.reportUndelivered(err)
	}
}

// refused reports whether err is about a value alone, which the
// connection survives.
func refused(err error) bool {
	for _, target := range []error{ErrEncode, ErrTooLarge, ErrSendBroken, ErrLimit, ErrChanInUse} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// fail reports the connection's failure once: the session's error if it
// ended, err otherwise, naming the peer. It returns the failure reported.
func (k *link[T]) fail(err error) error {
	k.once.Do(func() {
		k.ended = k.c.AboutPeer(cmp.Or(k.c.Err(), err))
		k.r.report(k.ended)
	})
	return k.ended
}

// report reports an error about the connection, naming its peer.
func (k *link[T]) report(err error) { k.r.report(k.c.AboutPeer(err)) }

// reportUndelivered reports the *UndeliveredError err is, or each one it
// joins, in order; nothing if it is none.
func (k *link[T]) reportUndelivered(err error) {
	endpoint.EachUndelivered(err, func(e error, _ *UndeliveredError[T]) { k.r.report(e) })
}

// done calls OnDone, once both pumps stopped: with nil, or the failure
// reported.
func (k *link[T]) done() {
	if k.r.s.OnDone != nil {
		k.r.s.OnDone(k.ended)
	}
}

// drain reports every value sent on in as undelivered, until in is closed
// or ctx ends.
func drain[T any](ctx context.Context, in <-chan T, r reporter, cause error) {
	for {
		select {
		case v, ok := <-in:
			if !ok {
				return
			}
			r.report(&UndeliveredError[T]{Value: v, Err: cause})
		case <-ctx.Done():
			return
		}
	}
}

// leftovers reports as undelivered the values in in's buffer, once
// SendFrom stopped because ctx ended.
func leftovers[T any](in <-chan T, r reporter, cause error) {
	for range cap(in) {
		select {
		case v, ok := <-in:
			if !ok {
				return
			}
			r.report(&UndeliveredError[T]{Value: v, Err: cause})
		default:
			return
		}
	}
}
