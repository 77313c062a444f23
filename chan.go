package netchan

import (
	"cmp"
	"context"
	"reflect"
	"unsafe"

	"github.com/netchan/netchan/internal/chans"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/options"
	nsync "github.com/netchan/netchan/sync"
)

// Dial connects to a netchan listener at addr ("host:port") and returns a
// channel to send values to it and a channel to receive values from it.
//
// ctx bounds everything: when it ends, the connection closes, every
// goroutine of this connection stops, and then recv is closed. close(send)
// tells the listener no more values follow; recv is closed after the
// listener closed its send channel and every value it sent was received,
// or when the connection fails (the error goes to OnError).
//
// Capacity is as WithBuffer describes. Values that wait in recv's buffer
// when ctx ends are taken back, not received: the listener learns that
// this program did not take them, and hands them to another client.
//
// A cut of the network connection is no failure: within the resume window
// (WithResumeWindow) Dial connects again by itself and the session goes
// on, every value delivered once, in order. A failure ends the connection:
// the session could not resume in time, or the listener restarted and no
// longer knows it (ErrSessionLost), or it ended with an error. Then every
// value sent that the listener's program had not taken is reported to
// OnError as its own *UndeliveredError[T], in order, with those sent
// afterwards, so that a sender is never stuck and nothing is dropped
// silently: the values sent are those the listener's program received and
// those reported. A value the listener's program took just as the session
// was lost may be reported too, its fate unknown to this end. Dial never
// starts a new session by itself: to go on, dial again and send what was
// reported.
//
// Once ctx has ended, values in send's buffer are still sent while the
// capacity allows, or reported; sends after that are neither, and up to
// cap(send) of them complete, as on any buffered channel no one receives
// from.
func Dial[T any](ctx context.Context, addr string, opts ...Option) (send chan<- T, recv <-chan T, err error) {
	s, err := options.Resolve(opts)
	if err != nil {
		return nil, nil, err
	}
	if err := s.RefuseBroadcast("Dial"); err != nil {
		return nil, nil, err
	}
	octx, detach, release := owned(ctx)
	c, err := endpoint.Dial[T](octx, addr, s)
	detach()
	if err != nil {
		release()
		return nil, nil, err
	}
	b := min(chanBuffer[T](c.Capacity()), heldByBudget(s.MaxMessageSize))
	in, out := make(chan T, b), make(chan T, b)
	drained := c.KeepDrains(ctx)
	go func() {
		defer release()
		defer drained()
		serveDial(ctx, c, in, out, reporter{s})
	}()
	return in, out, nil
}

// Listen listens on addr ("host:port"), or on the listener given with
// WithListener, and returns a channel to send values to its clients and a
// channel to receive values from them.
//
// A value sent on send goes to exactly one connected client that has free
// capacity (with the option Broadcast, to every client: see there), as a value sent on a Go channel goes to one of the goroutines
// receiving from it; until a client connects, a send blocks. send has no
// buffer: a value in a buffer shared by every client would be outstanding
// with none of them, and k clients of capacity n would take more than k*n
// sends. Behind it, values go to one client at a time, in groups while it
// has room, each counted in that client's capacity.
//
// A client that leaves, cleanly or not, gives back what it had not taken:
// the values its program had not received go, in order, to the other
// clients, connected now or later, as a Go channel keeps unreceived values
// for its other receivers. After a clean leave this is exact: the client
// says what its program took. After a client's session was lost, a value
// its program took just before may be handed to another client too, its
// fate being unknown. A value that holds channels is the exception: its
// channels were bound to the session of the client that left, so it is
// reported as undelivered rather than handed to another client. A value
// that can go to no client, because the listener is ending or send was
// closed and every client gone, is reported to OnError as an
// *UndeliveredError[T], never dropped.
//
// Values from all clients merge into recv, whose buffer holds values not
// yet received: their clients' capacity frees once the program takes them
// out (see WithBuffer). A client's session outlives cuts of its network
// connection for the resume window, and the values it sent arrive once
// each, in order.
//
// close(send) closes the receive channel of every client, connected now or
// later, after each received what was sent to it. recv is closed when ctx
// ends, after every connection stopped: ctx bounds the listener, its
// connections and its goroutines. Values from a client that closed its
// side are the program's once they arrived, as that client was told: once
// ctx ended, recv still yields them until it is closed, and those the
// program leaves unread are lost, as values left in a channel's buffer
// are. If the listener fails otherwise (its
// Accept, reported to OnError), the connections it had are served to their
// end, recv is closed, and every value sent from then on is reported as
// undelivered until ctx ends or send is closed.
func Listen[T any](ctx context.Context, addr string, opts ...Option) (send chan<- T, recv <-chan T, err error) {
	s, err := options.Resolve(opts)
	if err != nil {
		return nil, nil, err
	}
	stall, err := s.Stall()
	if err != nil {
		return nil, nil, err
	}
	if s.Broadcast {
		return listenBroadcast[T](ctx, addr, s, stall)
	}
	l, release, err := startListener[T](ctx, addr, s)
	if err != nil {
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
	holdsChans := chans.Holds(reflect.TypeFor[T]())
	drained := l.KeepDrains(ctx)
	go func() {
		defer release()
		defer drained()
		serveListener(ctx, l, in, out, r, d.Run, func(cctx context.Context, c *endpoint.Conn[T]) {
			lane := d.Add(c, chanBuffer[T](c.Capacity()))
			var unacked []T
			var cause error
			c.OnUndelivered(func(vs []T, err error) { unacked, cause = vs, err })
			inHand, done := serveClient(cctx, c, lane, out, r)
			defer done() // OnDone, once the client's values went back
			cause = cmp.Or(cause, c.Err(), ErrClosed)
			if holdsChans {
				// Their channels were bound to this client's session,
				// which ended with it.
				for _, v := range unacked {
					undelivered(v, cause)
				}
				unacked = nil
			}
			// What the client could not deliver goes to the others:
			// first what its peer had not taken, then what it had in
			// hand, then what waited for it, as the program sent them.
			left := append(append(unacked, inHand...), lane.Stop()...)
			d.GiveBack(left, cause)
		})
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
	octx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	return octx, func() { stop() }, func() { cancel(nil) }
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

// heldByBudget bounds the buffer of Dial's receive channel by the byte
// budget of its window: the credits of the values in that buffer are
// withheld, and the program's receives from it are seen only when one more
// value waits to go in. So the values the buffer holds, each up to
// maxValue bytes, must leave the sender room in the budget for one more,
// or a sender of large values would wait for ever.
func heldByBudget(maxValue int) int {
	return int(nsync.Budget(maxValue)/uint64(maxValue)) - 1
}

// chanBufferBytes bounds the memory of a channel's buffer.
const chanBufferBytes = 2 << 10

// reporter sends errors that cannot be returned to the logger and OnError.
type reporter struct{ s *options.Settings }

func (r reporter) report(err error) { r.s.Report(err) }
