package natsconn

import (
	"fmt"
	"io"
	"net"
	"os"

	"github.com/nats-io/nats.go"
)

// Read reads the bytes that arrived, in order, waiting for some if none
// has. It returns io.EOF once the peer closed its writing side and every
// byte was read; on a broken connection it returns the bytes that arrived
// before the break, then the error.
func (c *Conn) Read(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		switch {
		case c.closed:
			return 0, c.opError("read", net.ErrClosed)
		case c.rd.expired():
			return 0, c.opError("read", os.ErrDeadlineExceeded)
		case c.queued > 0:
			return c.takeLocked(b), nil
		case c.err != nil:
			return 0, c.opError("read", c.err)
		case c.finGot:
			return 0, io.EOF
		}
		c.waitLocked(&c.readable, &c.rd)
	}
}

// takeLocked copies what it can of the queue into b. Once the program has
// read a quarter of the window since the peer last heard, this end tells
// it, so that a writer waiting for room goes on.
func (c *Conn) takeLocked(b []byte) int {
	n := 0
	for n < len(b) && c.head < len(c.queue) {
		m := c.queue[c.head]
		k := copy(b[n:], m)
		n += k
		if k < len(m) {
			c.queue[c.head] = m[k:]
			break
		}
		c.queue[c.head] = nil
		c.head++
	}
	if c.head == len(c.queue) {
		c.queue, c.head = c.queue[:0], 0
	}
	c.queued -= n
	c.read += uint64(n)
	if c.read-c.announced >= recvWindow/4 && c.err == nil && !c.peerGone {
		c.sendOrBreakLocked(kindData, nil)
	}
	return n
}

// arrived takes a message from the peer. The hub calls it in the order the
// peer published, for one connection at a time.
func (c *Conn) arrived(m *nats.Msg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.peer == "" {
		c.answered(m)
		return
	}
	if c.closed || c.err != nil || m.Header != nil {
		// A message with headers is a status from a server, not the
		// peer's: none is expected once connected.
		return
	}
	h, payload, err := parseHeader(m.Data)
	if err != nil {
		c.breakLocked(fmt.Errorf("%w: %w", ErrProtocol, err))
		return
	}
	if h.kind == kindReset {
		// Messages before it may have been lost: that is the peer's
		// news, and the reason it gives comes first.
		c.err = &BrokenError{Cause: reason(payload[0]).err(), ByPeer: true}
		c.endLocked()
		return
	}
	switch {
	case h.seq > c.recvSeq:
		c.breakLocked(fmt.Errorf("%w: message %d never arrived (message %d did)", ErrLost, c.recvSeq, h.seq))
		return
	case h.seq < c.recvSeq:
		c.breakLocked(fmt.Errorf("%w: message %d arrived again", ErrProtocol, h.seq))
		return
	case h.ack < c.peerAck || h.ack > c.sendSeq || h.read < c.peerRead || h.read > c.sent:
		c.breakLocked(fmt.Errorf("%w: the peer acknowledged %d messages and %d bytes, with %d and %d sent and %d and %d acknowledged before",
			ErrProtocol, h.ack, h.read, c.sendSeq, c.sent, c.peerAck, c.peerRead))
		return
	}
	c.recvSeq++
	c.peerAck = h.ack
	if h.read > c.peerRead {
		c.peerRead = h.read
		c.writable.wake()
	}
	switch h.kind {
	case kindData:
		if len(payload) == 0 {
			return
		}
		if c.finGot {
			c.breakLocked(fmt.Errorf("%w: data after the peer's end of writing", ErrProtocol))
			return
		}
		if c.queued+len(payload) > recvWindow {
			c.breakLocked(fmt.Errorf("%w: the peer sent %d bytes beyond a window of %d", ErrProtocol, c.queued+len(payload)-recvWindow, recvWindow))
			return
		}
		c.queue = append(c.queue, payload)
		c.queued += len(payload)
		c.readable.wake()
	case kindPing:
		c.sendOrBreakLocked(kindData, nil)
	case kindFin:
		c.finGot = true
		c.readable.wake()
	case kindClose:
		c.finGot, c.peerGone = true, true
		c.readable.wake()
		c.writable.wake()
		c.stopProbeLocked()
	}
}

// answered takes the answer to a dial: an accept, a refusal, or a server's
// word that no one subscribes to the subject dialed.
func (c *Conn) answered(m *nats.Msg) {
	if c.closed || c.accepted == nil {
		c.h.stray(m)
		return
	}
	if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
		c.failDialLocked(fmt.Errorf("%w %s (%w)", ErrNoListener, c.remote, nats.ErrNoResponders))
		return
	}
	a, err := parseHello(m.Data)
	switch {
	case err != nil:
		c.failDialLocked(fmt.Errorf("%w: answer to a dial: %w", ErrProtocol, err))
	case a.kind == kindRefuse:
		c.failDialLocked(a.reason.err())
	case a.kind != kindAccept || a.version != protocolVersion:
		c.failDialLocked(fmt.Errorf("%w: answer of kind %d, version %d to a dial", ErrProtocol, a.kind, a.version))
	case a.window < minWindow || a.window > maxWindow || a.maxPayload < minPayload:
		c.failDialLocked(fmt.Errorf("%w: the listener offers a window of %d bytes and messages of %d", ErrProtocol, a.window, a.maxPayload))
	default:
		c.establish(a.inbox, a.window, a.maxPayload)
		c.resume = a.resume
		close(c.accepted)
		c.accepted = nil
	}
}

// failDialLocked ends a dial that was not accepted.
func (c *Conn) failDialLocked(err error) {
	c.err = err
	close(c.accepted)
	c.accepted = nil
}
