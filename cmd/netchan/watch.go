package main

import (
	"errors"
	"net"
	"sync"
)

// clientWatch is the net.Listener netchan listen serves on. The channel
// API does not tell when a client leaves, but the network connections it
// accepts and closes do: clientWatch counts those open, and with the ends
// netchan reports through OnDone, closes over once the run is done: stdin
// has ended, a client has come and gone, and no other is connected or
// still in its handshake. With keep it never does.
type clientWatch struct {
	net.Listener
	keep bool
	over chan struct{}

	mu     sync.Mutex
	open   int  // connections accepted and not yet closed
	came   bool // a connection completed its handshake, and ended
	ended  bool // stdin has ended
	closed bool // over is closed
}

func newClientWatch(l net.Listener, keep bool) *clientWatch {
	return &clientWatch{Listener: l, keep: keep, over: make(chan struct{})}
}

// Accept implements net.Listener.
func (w *clientWatch) Accept() (net.Conn, error) {
	c, err := w.Listener.Accept()
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.open++
	w.mu.Unlock()
	return &watchedConn{Conn: c, w: w}, nil
}

// served is the OnDone function: a client's connection has ended.
func (w *clientWatch) served(error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.came = true
	w.checkLocked()
}

// stdinEnded records that every line of stdin was handed to netchan.
func (w *clientWatch) stdinEnded() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ended = true
	w.checkLocked()
}

// isOver reports whether over is closed.
func (w *clientWatch) isOver() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed
}

func (w *clientWatch) checkLocked() {
	if w.keep || w.closed || !w.ended || !w.came || w.open > 0 {
		return
	}
	w.closed = true
	close(w.over)
}

// watchedConn tells its clientWatch when it closes.
type watchedConn struct {
	net.Conn
	w    *clientWatch
	once sync.Once
}

// Close implements net.Conn.
func (c *watchedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.w.mu.Lock()
		defer c.w.mu.Unlock()
		c.w.open--
		c.w.checkLocked()
	})
	return err
}

// CloseWrite passes a half-close on, which netchan uses to end a
// connection so that the peer reads all that was sent: embedding the
// net.Conn interface alone would hide the method.
func (c *watchedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}
