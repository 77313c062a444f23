package main

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/typed"
)

// dialParallel bounds the handshakes in progress, so that thousands of
// clients do not overflow the listener's backlog.
const dialParallel = 64

// client is one connection's channels; kept small, since there may be tens
// of thousands.
type client[V message] struct {
	send chan<- V
	recv <-chan V
	conn *typed.Conn[V] // with -api typed, in place of the channels
}

// clients are the echoing ends.
type clients[V message] struct {
	conns  []client[V]
	echoed []atomic.Uint64 // per client
	wg     sync.WaitGroup
	done   chan struct{} // closed when every echo loop ended

	ended    atomic.Int64  // connections of the channel API that ended
	allEnded chan struct{} // closed when every one has
}

// dialClients connects n clients to addr. Each connection lives until
// connCtx ends; stop, when it ends, stops dialing.
func dialClients[V message](stop, connCtx context.Context, addr string, n int, api string, opts []netchan.Option) (*clients[V], error) {
	cs := &clients[V]{conns: make([]client[V], n), echoed: make([]atomic.Uint64, n), done: make(chan struct{}), allEnded: make(chan struct{})}
	opts = append(slices.Clip(opts), netchan.OnDone(cs.connEnded))
	g, gctx := errgroup.WithContext(stop)
	g.SetLimit(dialParallel)
	for i := range cs.conns {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			if api == apiTyped {
				c, err := typed.Dial[V](connCtx, addr, slices.Clip(opts)...)
				cs.conns[i] = client[V]{conn: c}
				return err
			}
			send, recv, err := netchan.Dial[V](connCtx, addr, slices.Clip(opts)...)
			cs.conns[i] = client[V]{send: send, recv: recv}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := stop.Err(); err != nil {
		return nil, context.Cause(stop)
	}
	return cs, nil
}

// start makes every client echo what it receives, until the server closes
// its channel or ctx ends.
func (cs *clients[V]) start(ctx context.Context) {
	for i, c := range cs.conns {
		cs.wg.Go(func() { cs.echo(ctx, c, &cs.echoed[i]) })
	}
	go func() {
		cs.wg.Wait()
		close(cs.done)
	}()
}

func (cs *clients[V]) echo(ctx context.Context, c client[V], count *atomic.Uint64) {
	// A context of its own, so that echo loops do not contend for the lock
	// of one shared Done channel on every value.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c.conn != nil {
		echoTyped(ctx, c.conn, count)
		return
	}
	defer close(c.send)
	for v := range c.recv {
		select {
		case c.send <- v: // as in server.sendLoop
			count.Add(1)
			continue
		default:
		}
		select {
		case c.send <- v:
			count.Add(1)
		case <-ctx.Done():
			return
		}
	}
}

// connEnded counts a connection of the channel API that ended.
func (cs *clients[V]) connEnded(error) {
	if cs.ended.Add(1) == int64(len(cs.conns)) {
		close(cs.allEnded)
	}
}

// closeAll ends every connection once its echo loop has, and waits for it
// to be done, at most d: a process that exited with connections still
// closing would cut its last values and its close, and the server would
// see lost connections. It reports whether they all ended in time.
func (cs *clients[V]) closeAll(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	if cs.conns[0].conn == nil {
		// Both sides closed their channels: the connections end by
		// themselves.
		select {
		case <-cs.allEnded:
			return true
		case <-t.C:
			return false
		}
	}
	closed := make(chan struct{})
	go func() {
		var g errgroup.Group
		g.SetLimit(dialParallel)
		for _, c := range cs.conns {
			g.Go(c.conn.Close)
		}
		_ = g.Wait()
		close(closed)
	}()
	select {
	case <-closed:
		return true
	case <-t.C:
		return false
	}
}

// waitFor waits for every echo loop to end, at most d; it reports whether
// they all did.
func (cs *clients[V]) waitFor(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-cs.done:
		return true
	case <-t.C:
		return false
	}
}

// wait waits for every echo loop to end; they end at the latest when their
// context does.
func (cs *clients[V]) wait() { <-cs.done }

// total returns the values echoed so far by all clients. Each client counts
// its own, so that echoing goroutines do not contend on one counter.
func (cs *clients[V]) total() uint64 {
	var n uint64
	for i := range cs.echoed {
		n += cs.echoed[i].Load()
	}
	return n
}

// spread returns the fewest and the most values one client echoed.
func (cs *clients[V]) spread() (least, most uint64) {
	for i := range cs.echoed {
		n := cs.echoed[i].Load()
		if i == 0 || n < least {
			least = n
		}
		most = max(most, n)
	}
	return least, most
}

// fill copies the clients' figures into sum; call it after wait.
func (cs *clients[V]) fill(sum *summary) {
	sum.Echoed = cs.total()
	sum.EchoedLeast, sum.EchoedMost = cs.spread()
}

// echoTyped sends back what c receives, until the server closes its side.
func echoTyped[V message](ctx context.Context, c *typed.Conn[V], count *atomic.Uint64) {
	defer c.CloseSend()
	for {
		v, err := c.Recv(ctx)
		if err != nil || c.Send(ctx, v) != nil {
			return // io.EOF once the server closed, or ctx ended
		}
		count.Add(1)
	}
}
