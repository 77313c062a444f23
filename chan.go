package netchan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"unsafe"

	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/options"
	nsync "github.com/netchan/netchan/sync"
)

// Dial connects to a netchan listener at addr ("host:port") and returns a
// channel to send values to it and a channel to receive values from it.
//
// ctx bounds everything: when it ends, the connection closes, every
// goroutine of this connection stops, and then recv is closed. close(send) tells
// the listener no more values follow; recv is closed after the listener
// closed its send channel and every value it sent was received, or when the
// connection fails (the error goes to OnError).
//
// Capacity is as WithBuffer describes. After the connection failed, values
// sent on send are reported to OnError as *UndeliveredError[T], one by one,
// so a sender is never stuck and nothing is dropped silently. Once ctx has
// ended, values in send's buffer are still sent while the capacity allows,
// or reported; sends after that are neither, and up to cap(send) of them
// complete, as on any buffered channel no one receives from.
func Dial[T any](ctx context.Context, addr string, opts ...Option) (send chan<- T, recv <-chan T, err error) {
	s, err := options.Resolve(opts)
	if err != nil {
		return nil, nil, err
	}
	octx, detach, release := owned(ctx)
	c, err := endpoint.Dial[T](octx, addr, s)
	detach()
	if err != nil {
		release()
		return nil, nil, err
	}
	r := reporter{s}
	b := chanBuffer[T](c.Capacity())
	in, out := make(chan T, b), endpoint.NewOutlet[T](b)
	go func() {
		defer release()
		serve(ctx, c, in, out, true, r)
	}()
	return in, out.C(), nil
}

// Listen listens on addr ("host:port"), or on the listener given with
// WithListener, and returns a channel to send values to its clients and a
// channel to receive values from them.
//
// A value sent on send goes to exactly one connected client that has free
// capacity, as a value sent on a Go channel goes to one of the goroutines
// receiving from it; until a client connects, a send blocks. send has no
// buffer: a value in a buffer shared by every client would be outstanding
// with none of them, and k clients of capacity n would take more than k*n
// sends. Behind it, values go to one client at a time, in groups while it
// has room, through a small buffer of that client's own that counts in its
// capacity (see endpoint.Dispatcher): if the client's connection fails, the
// values in that buffer are reported as undelivered. Values from all
// clients merge into recv, whose buffer holds
// values not yet received: their clients' capacity frees once the program
// takes them out (see WithBuffer). close(send) closes the receive channel
// of every client, connected now or later, after each received what was
// sent to it. recv is closed when ctx ends, after every connection
// stopped: ctx bounds the listener, its connections and its goroutines. If
// the listener fails otherwise (its Accept, reported to OnError), the
// connections it had are served to their end, recv is closed, and every
// value sent from then on is reported as undelivered until ctx ends or
// send is closed.
func Listen[T any](ctx context.Context, addr string, opts ...Option) (send chan<- T, recv <-chan T, err error) {
	s, err := options.Resolve(opts)
	if err != nil {
		return nil, nil, err
	}
	octx, detach, release := owned(ctx)
	l, err := endpoint.Listen[T](octx, addr, s)
	detach()
	if err != nil {
		release()
		return nil, nil, err
	}
	r := reporter{s}
	// The receive channel is buffered, through an Outlet, which frees a
	// client's capacity only once the program took its value out; the
	// send channel is not (see above), and a Dispatcher hands its values to
	// the clients in groups.
	in, out := make(chan T), endpoint.NewOutlet[T](chanBuffer[T](s.Buffer))
	undelivered := func(v T, cause error) { r.report(&UndeliveredError[T]{Value: v, Err: cause}) }
	d := endpoint.NewDispatcher[T](in, undelivered)
	go func() {
		defer release()
		// The connections end with ctx, but only once the Dispatcher
		// handed them what the program sent before: see Dispatcher.Run.
		cctx, endConns := context.WithCancelCause(context.WithoutCancel(ctx))
		rctx, stopRun := context.WithCancelCause(ctx)
		var dispatching gosync.WaitGroup
		dispatching.Go(func() {
			d.Run(rctx)
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
			clients.Go(func() {
				lane := d.Add(c, chanBuffer[T](c.Capacity()))
				if lane == nil {
					serve(cctx, c, in, out, false, r)
					return
				}
				serve(cctx, c, lane.C(), out, false, r)
				for _, v := range lane.Stop() {
					undelivered(v, cmp.Or(c.Err(), context.Cause(cctx), ErrClosed))
				}
			})
		}
	}()
	return in, out.C(), nil
}

// owned returns the context for endpoint.Dial or endpoint.Listen: it ends with
// ctx while that call runs, so ctx can cancel a dial, and not after detach.
// From then on the channel API ends its connections itself, once their pumps
// stopped: when ctx ends, what the program sent before, a last value or a
// close, is flushed to the peer rather than cut off. release ends the
// context for good, once everything stopped.
func owned(ctx context.Context) (octx context.Context, detach func(), release context.CancelFunc) {
	octx, release = context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, release)
	return octx, func() { stop() }, release
}

// serve runs both directions of c until each is done, then closes c. With
// dial set, out is the Dial's own channel, closed as soon as the receiving
// direction is done, and after a failure every value sent on in is reported
// as undelivered, since no one else will take it; a Listen's channels are
// shared by every client and stay open. A failure is reported once.
func serve[T any](ctx context.Context, c *endpoint.Conn[T], in <-chan T, out *endpoint.Outlet[T], dial bool, r reporter) {
	var once gosync.Once
	var ended error // the failure reported, if any
	fail := func(err error) (failure error) {
		once.Do(func() {
			failure = cmp.Or(c.Err(), err)
			if n := c.Unacknowledged(); n > 0 {
				failure = fmt.Errorf("%w (up to %d values sent may not have been received: the peer had not acknowledged them)", failure, n)
			}
			r.report(failure)
			ended = failure
		})
		return cmp.Or(failure, c.Err(), err)
	}
	var wg gosync.WaitGroup
	wg.Go(func() {
		err := sendLoop(ctx, c, in, r)
		var u *endpoint.UndeliveredError[T]
		if ctx.Err() != nil && errors.As(err, &u) {
			r.reportEach(err) // values the program handed over as ctx ended
		}
		if err != nil && ctx.Err() != nil && dial {
			leftovers(in, r, context.Cause(ctx))
		}
		if err == nil || ctx.Err() != nil {
			return
		}
		failure := fail(err)
		if dial {
			drain(ctx, in, r, failure)
		}
	})
	var closeLast bool
	wg.Go(func() {
		err := c.RecvToOutlet(ctx, out, r.report)
		if ctx.Err() != nil {
			// Cancelled: close out only once everything stopped, so that a
			// program that waits for it waits for netchan too.
			closeLast = dial
			return
		}
		if dial {
			out.Close()
		}
		if err != nil {
			fail(err)
		}
	})
	wg.Wait()
	_ = c.Close()
	if closeLast {
		out.Close()
	}
	if r.s.OnDone != nil {
		r.s.OnDone(ended) // after wg.Wait, which orders it after fail
	}
}

// sendLoop sends values from in on c until in is closed or c fails. A value
// that cannot be encoded or is too large is reported and the loop goes on.
// So does every value after a stateful codec broke the send side: c still
// receives, so serve would not drain in, and a sender would be stuck.
func sendLoop[T any](ctx context.Context, c *endpoint.Conn[T], in <-chan T, r reporter) error {
	for {
		err := c.SendFrom(ctx, in)
		if err == nil || ctx.Err() != nil {
			return err
		}
		var u *endpoint.UndeliveredError[T]
		if !errors.As(err, &u) {
			return err
		}
		r.reportEach(err)
		if c.Err() != nil || !(errors.Is(err, ErrEncode) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrSendBroken)) {
			return u.Err
		}
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

// chanBuffer is the buffer of the channels of T that Dial and Listen
// return, for a capacity of n. It saves a goroutine hand-off per value
// while values flow, and the capacity stays exact: the values in the
// buffers count in it (endpoint.Conn.SendFrom, endpoint.Outlet). It is at most
// what a sender may keep of its window for values not yet sent, a quarter
// of the capacity and 64 values, beyond which values flow no faster, and
// none in rendezvous mode; and at most chanBufferBytes of T, since the
// buffer is allocated whole and kept while the connection is idle.
func chanBuffer[T any](n int) int {
	var v T
	return min(nsync.MaxHold(n), chanBufferBytes/max(int(unsafe.Sizeof(v)), 1))
}

// chanBufferBytes bounds the memory of a channel's buffer.
const chanBufferBytes = 2 << 10

// reporter sends errors that cannot be returned to the logger and OnError.
type reporter struct{ s *options.Settings }

// reportEach reports err, once for each error it joins, if it joins
// several: SendFrom's *UndeliveredError for each value of a group it took.
func (r reporter) reportEach(err error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			r.report(e)
		}
		return
	}
	r.report(err)
}

func (r reporter) report(err error) {
	r.s.Logger.Warn("netchan: error", "err", err)
	if r.s.OnError != nil {
		r.s.OnError(err)
	}
}
