package testkit

import (
	"net"
	gosync "sync"
	"testing"
)

// relay is the accept loop the parties in the middle share: it listens on
// loopback, hands each connection to a handler in a goroutine of its own,
// and on close ends every connection it made or accepted and waits for its
// goroutines, so a test that uses one leaks nothing.
type relay struct {
	ln net.Listener
	wg gosync.WaitGroup

	mu     gosync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// start serves on a fresh loopback listener; the test's cleanup closes the
// relay.
func (r *relay) start(tb testing.TB, handle func(net.Conn)) {
	r.serve(Loopback(tb), handle)
	tb.Cleanup(r.Close)
}

// serve accepts on ln, which the relay then owns, until Close.
func (r *relay) serve(ln net.Listener, handle func(net.Conn)) {
	r.ln = ln
	r.wg.Go(func() {
		for {
			c, err := r.ln.Accept()
			if err != nil {
				return
			}
			if !r.track(c) {
				_ = c.Close()
				return
			}
			r.wg.Go(func() {
				defer r.forget(c)
				defer c.Close()
				handle(c)
			})
		}
	})
}

// Addr returns the address clients dial.
func (r *relay) Addr() string { return r.ln.Addr().String() }

// track records c for Close; it reports false once closed.
func (r *relay) track(c net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	if r.conns == nil {
		r.conns = make(map[net.Conn]struct{})
	}
	r.conns[c] = struct{}{}
	return true
}

// forget drops a connection that has ended, so that a relay serving many
// connections over its life (a benchmark's) holds only the live ones.
func (r *relay) forget(c net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.conns, c)
}

// Close stops accepting, closes every connection and waits for the
// goroutines. It is idempotent.
func (r *relay) Close() {
	r.mu.Lock()
	r.closed = true
	conns := r.conns
	r.conns = nil
	r.mu.Unlock()
	_ = r.ln.Close()
	for c := range conns {
		_ = c.Close()
	}
	r.wg.Wait()
}
