package conn

import (
	"context"
	"net"
	"sync"
)

// router is a Dialer for sessions under test: it dials, for the n-th
// connection a session makes (from 0), the address route(n) gives, and
// keeps the connections it made so that a test can cut them.
type router struct {
	route func(n int) string

	mu    sync.Mutex
	n     int
	conns []net.Conn
}

func (r *router) dial(ctx context.Context, _ string) (net.Conn, error) {
	r.mu.Lock()
	n := r.n
	r.n++
	r.mu.Unlock()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", r.route(n))
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.conns = append(r.conns, nc)
	r.mu.Unlock()
	return nc, nil
}

// dials returns how many connections the session asked for.
func (r *router) dials() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// reset resets every connection made so far, as a link that dies does.
func (r *router) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, nc := range r.conns {
		_ = nc.(*net.TCPConn).SetLinger(0)
		_ = nc.Close()
	}
	r.conns = nil
}
