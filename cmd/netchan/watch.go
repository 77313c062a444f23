package main

import (
	"errors"
	"net"
	"sync"

	"github.com/netchan/netchan"
)

// clientWatch is the net.Listener netchan listen serves on. It counts the
// network connections open, which covers clients still in their
// handshake, and the clients' sessions, from OnConnect to OnDone: a
// session's connection may close before its last values reached the
// program (they wait in its inbox after a clean end), or while it waits
// to resume. It closes over once the run is done: stdin has ended, a
// client has come and gone, and no other is connected, still in its
// handshake, or has values on their way. With keep it never does.
type clientWatch struct {
	net.Listener
	keep bool
	over chan struct{}

	mu       sync.Mutex
	open     int  // connections accepted and not yet closed
	sessions int  // sessions started and not yet done
	came     bool // a session ended
	ended    bool // stdin has ended
	closed   bool // over is closed
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

// started is the OnConnect function: a client's session has started.
func (w *clientWatch) started(*netchan.Conn) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sessions++
}

// served is the OnDone function: a client's session has ended, and its
// values were handed to the program.
func (w *clientWatch) served(error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.came = true
	w.sessions--
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
	if w.keep || w.closed || !w.ended || !w.came || w.open > 0 || w.sessions > 0 {
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
