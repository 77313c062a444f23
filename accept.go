package netchan

import (
	"context"
	gosync "sync"

	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/options"
)

// startListener starts Listen's endpoint listener, owned by ctx: release
// ends it once the goroutine serving it stopped.
func startListener[T any](ctx context.Context, addr string, s *options.Settings) (l *endpoint.Listener[T], release func(), err error) {
	octx, detach, release := owned(ctx)
	l, err = endpoint.Listen[T](octx, addr, s)
	detach()
	if err != nil {
		release()
		return nil, nil, err
	}
	return l, release, nil
}

// serveListener serves Listen's connections: it accepts them from l, each
// served by serve in a goroutine of its own, while run hands out the
// values the program sends on in, until ctx ends or l fails. It returns
// once everything stopped, after closing out; if l failed, it then reports
// every value sent on in as undelivered, until ctx ends or in is closed.
//
// The connections end with ctx, but only once run returned, having handed
// them what the program sent before (see endpoint.Dispatcher.Run): serve
// gets a context that ends then.
func serveListener[T any](ctx context.Context, l *endpoint.Listener[T], in <-chan T, out *endpoint.Outlet[T], r reporter,
	run func(context.Context), serve func(cctx context.Context, c *endpoint.Conn[T])) {
	cctx, endConns := context.WithCancelCause(context.WithoutCancel(ctx))
	rctx, stopRun := context.WithCancelCause(ctx)
	var dispatching gosync.WaitGroup
	dispatching.Go(func() {
		run(rctx)
		<-rctx.Done()
		endConns(context.Cause(rctx))
	})
	var clients gosync.WaitGroup
	var failed error // why the listener stopped, if ctx did not end
	defer func() {
		_ = l.Close()
		clients.Wait()
		stopRun(failed)
		dispatching.Wait()
		out.Close()
		if failed != nil {
			// No client will come to take what the program sends.
			drain(ctx, in, r, failed)
		}
	}()
	for {
		c, err := l.Accept(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.report(err)
				failed = err
			}
			return
		}
		clients.Go(func() { serve(cctx, c) })
	}
}
