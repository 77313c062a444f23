package natsconn

import (
	"net"
	"sync"
	"time"
)

// Conn is one end of a connection carried by NATS messages: a net.Conn
// whose bytes go, in order, as messages to the peer's inbox subject. Each
// message has a sequence number, so that a message NATS lost breaks the
// connection at the next one rather than corrupting the stream; each end
// grants the other a window of bytes, so that a fast writer cannot fill a
// slow reader's memory. A connection also breaks when its nats.Conn loses
// its server, or when the peer acknowledges nothing for a few seconds
// while a message waits for its answer; the end that notices tells the
// other, best effort, so that both fail at once. Its reads and writes
// then fail with an error wrapping ErrBroken (see BrokenError), once the
// bytes that had arrived are read.
//
// All methods may be called concurrently. Each Write's bytes go out
// together, one Write at a time. Close is idempotent.
type Conn struct {
	h             *hub
	id            uint64 // the connection's number in its hub
	inbox         string // the subject the peer publishes to
	local, remote Addr
	rd, wd        deadline
	writing       sync.Mutex // held through a Write
	closeOnce     sync.Once

	mu       sync.Mutex
	peer     string        // the peer's inbox; empty until a dial is accepted
	resume   string        // the listener's own subject, on a dialer's end
	accepted chan struct{} // a dial's: closed when the dial is answered or fails
	window   uint64        // the peer's receive window, in bytes
	chunk    int           // the most data bytes in one message

	sendSeq   uint64 // messages sent
	answerSeq uint64 // sendSeq after the last message that asks for an answer
	peerAck   uint64 // messages the peer has received
	sent      uint64 // data bytes sent
	peerRead  uint64 // data bytes the peer's program has read
	finSent   bool
	out       []byte // a small message being sent

	recvSeq   uint64   // messages received
	queue     [][]byte // data that arrived, not yet read, from head on
	head      int
	queued    int
	read      uint64 // data bytes this end's program has read
	announced uint64 // read, as last sent to the peer
	finGot    bool   // the peer writes no more
	peerGone  bool   // the peer reads no more either

	err      error // why the connection broke: a *BrokenError
	closed   bool
	readable signal
	writable signal

	probe       *time.Timer // runs while a message waits for its answer
	probing     bool
	progressAck uint64
	progressAt  time.Time
}

// Window and message sizes.
const (
	// recvWindow is how many bytes each end lets its peer send beyond
	// what its program has read: the memory a slow reader holds.
	recvWindow = 256 << 10
	minWindow  = 4 << 10
	maxWindow  = 1 << 30
	// minPayload is the smallest maximum payload of a NATS server that
	// natsconn works with.
	minPayload = 1 << 10
)

// newConn returns an unregistered connection to peer, which is empty for
// a dial not yet answered.
func newConn(h *hub, local, remote Addr) *Conn {
	return &Conn{h: h, local: local, remote: remote}
}

// establish records the peer's hello. Called with c.mu held, or before
// the connection is shared.
func (c *Conn) establish(peer string, window, maxPayload uint64) {
	c.peer, c.window = peer, window
	// The server's limit was checked at Listen or dial; one met after a
	// reconnect may be lower, and a message it refuses breaks the
	// connection.
	payload := max(min(uint64(c.h.nc.MaxPayload()), maxPayload), minPayload)
	c.chunk = int(min(payload-maxHeader, window/4))
}

// Addr is a NATS subject as a net.Addr: a listener's subject, or a
// connection's inbox.
type Addr string

// Network returns "nats".
func (Addr) Network() string { return "nats" }

// String returns the subject.
func (a Addr) String() string { return string(a) }

// LocalAddr returns this end's subject: a dialer's inbox, or the subject
// of the listener that accepted the connection.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the peer's subject: the subject dialed, or the
// dialer's inbox.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// ResumeAddr returns a subject that reaches the listener at the other end
// of a dialed connection directly, rather than any listener in its queue
// group: a dial to it is accepted by that listener, or fails once that
// listener is closed. netchan dials it to resume a session there. On a
// connection a listener accepted it returns the empty string, since only
// dialers dial again.
func (c *Conn) ResumeAddr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resume
}

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the deadline of Read calls, waiting or future.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.rd.set(t)
	return nil
}

// SetWriteDeadline sets the deadline of Write calls, waiting or future.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.wd.set(t)
	return nil
}

// Close closes the connection. The peer reads what was written before,
// then io.EOF, and its writes fail with ErrPeerClosed. Reads and writes
// waiting here return an error wrapping net.ErrClosed. Close is idempotent
// and returns nil.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		if c.err == nil && c.peer != "" && !c.peerGone {
			_ = c.sendLocked(kindClose, nil) // best effort: the peer may be gone
		}
		c.endLocked()
		c.mu.Unlock()
		c.rd.stop()
		c.wd.stop()
		c.h.remove(c)
	})
	return nil
}

// opError wraps err as package net does, with the operation and the two
// subjects.
func (c *Conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "nats", Source: c.local, Addr: c.remote, Err: err}
}

// signal wakes every goroutine waiting for a change, by closing a channel.
// It is used with Conn.mu held.
type signal struct{ ch chan struct{} }

func (s *signal) wait() <-chan struct{} {
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) wake() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// waitLocked waits, with c.mu released, until s is woken or d passes.
func (c *Conn) waitLocked(s *signal, d *deadline) {
	woken, passed := s.wait(), d.wait()
	c.mu.Unlock()
	select {
	case <-woken:
	case <-passed:
	}
	c.mu.Lock()
}
