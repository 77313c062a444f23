package netchan

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	gosync "sync"
	"time"

	"github.com/netchan/netchan/internal/chans"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/options"
)

// listenBroadcast is Listen with Broadcast: every value sent on send goes
// to every client, through an endpoint.Broadcaster, and a client that
// stalls for stall is cut.
func listenBroadcast[T any](ctx context.Context, addr string, s *options.Settings, stall time.Duration) (send chan<- T, recv <-chan T, err error) {
	if err := broadcastable[T](); err != nil {
		return nil, nil, err
	}
	l, release, err := startListener[T](ctx, addr, s)
	if err != nil {
		return nil, nil, err
	}
	r := reporter{s}
	in, out := make(chan T), endpoint.NewOutlet[T](chanBuffer[T](s.Buffer))
	undelivered := func(v T, cause error) { r.report(&UndeliveredError[T]{Value: v, Err: cause}) }
	b := endpoint.NewBroadcaster[T](in, s.Codec, stall, undelivered)
	go func() {
		defer release()
		serveListener(ctx, l, in, out, r, b.Run, func(cctx context.Context, c *endpoint.Conn[T]) {
			// The Feed comes before any value of the client can reach
			// recv: a program that received one knows its next send
			// reaches this client.
			f := b.Add(c, c.Capacity())
			serveFeed(cctx, c, f, out, r)
			f.Stop() // what the client did not take goes nowhere: the others have it
		})
	}()
	return in, out.C(), nil
}

// broadcastable is where Listen with Broadcast refuses a T that it cannot
// send to every client. A value holding channels opens streams on one
// session, which cannot be shared by every client.
func broadcastable[T any]() error {
	if t := reflect.TypeFor[T](); chans.Holds(t) {
		return fmt.Errorf("netchan: Listen with Broadcast of %v: a value that holds channels goes to one client, whose session carries its channels, not to every client", t)
	}
	return nil
}

// serveFeed runs a broadcast listener's connection: the values of its Feed
// go to the peer, and the peer's values to out, shared with the other
// clients, until each direction is done; then it closes the connection and
// calls OnDone. Values it could not send go nowhere: the error that ended
// the connection, reported once, says why, and a stall's counts them.
func serveFeed[T any](ctx context.Context, c *endpoint.Conn[T], f *endpoint.Feed[T], out *endpoint.Outlet[T], r reporter) {
	k := &link[T]{c: c, r: r}
	var wg gosync.WaitGroup
	wg.Go(func() {
		err := k.sendLoop(ctx, func() error { return c.SendFeed(ctx, f) })
		switch {
		case err == nil:
		case ctx.Err() != nil && !errors.Is(err, ErrStalled):
			k.reportUndelivered(err) // the listener is ending: no client takes them
		case errors.Is(err, ErrPeerClosed):
			// A client that leaves is no failure, and what it had not
			// taken goes nowhere: the others have it already.
		default:
			k.fail(err)
		}
	})
	wg.Go(func() {
		if err := c.RecvToOutlet(ctx, out, k.report); err != nil && ctx.Err() == nil {
			k.fail(err)
		}
	})
	wg.Wait()
	k.close(ctx)
	k.done()
}
