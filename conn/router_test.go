package conn

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
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

// severable is a connection that a test can break at this end alone: once
// severed, its reads and writes fail here while the socket stays open, so
// the peer sees nothing, as when a network drops everything.
type severable struct {
	net.Conn
	mu  sync.Mutex
	cut bool
}

var errSevered = errors.New("severed by the test")

// sever breaks the connection at this end.
func (c *severable) sever() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = true
	_ = c.Conn.SetDeadline(deadlinePassed)
}

func (c *severable) isCut() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cut
}

func (c *severable) Read(b []byte) (int, error) {
	if c.isCut() {
		return 0, errSevered
	}
	n, err := c.Conn.Read(b)
	if c.isCut() {
		return 0, errSevered
	}
	return n, err
}

func (c *severable) Write(b []byte) (int, error) {
	if c.isCut() {
		return 0, errSevered
	}
	n, err := c.Conn.Write(b)
	if c.isCut() {
		return n, errSevered
	}
	return n, err
}

func (c *severable) SetDeadline(t time.Time) error { return c.setDeadline(c.Conn.SetDeadline, t) }
func (c *severable) SetReadDeadline(t time.Time) error {
	return c.setDeadline(c.Conn.SetReadDeadline, t)
}
func (c *severable) SetWriteDeadline(t time.Time) error {
	return c.setDeadline(c.Conn.SetWriteDeadline, t)
}

func (c *severable) setDeadline(set func(time.Time) error, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut {
		return nil
	}
	return set(t)
}

// Close closes the socket unless the connection was severed: then the
// socket stays open, for closeSocket.
func (c *severable) Close() error {
	if c.isCut() {
		return nil
	}
	return c.Conn.Close()
}

// closeSocket closes the socket.
func (c *severable) closeSocket() { _ = c.Conn.Close() }
