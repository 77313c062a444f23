package natsconn

import (
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// smallMessage is the most data a connection sends from a buffer of its
// own; larger messages are built in one from large.
const smallMessage = 512

var large = sync.Pool{New: func() any { return new([]byte) }}

// Write writes b as one or more messages, each within the largest payload
// both ends' NATS servers take, waiting while the peer's window is full.
// On a timeout or an error it returns how many bytes were sent.
func (c *Conn) Write(b []byte) (int, error) {
	c.writing.Lock()
	defer c.writing.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for {
		if err := c.writeErrLocked(); err != nil {
			return n, c.opError("write", err)
		}
		if c.wd.expired() {
			return n, c.opError("write", os.ErrDeadlineExceeded)
		}
		if n == len(b) {
			return n, nil
		}
		if room := c.window - (c.sent - c.peerRead); room > 0 {
			k := min(len(b)-n, int(min(room, uint64(c.chunk))))
			if c.sendOrBreakLocked(kindData, b[n:n+k]) {
				c.sent += uint64(k)
				n += k
			}
			continue
		}
		c.waitLocked(&c.writable, &c.wd)
	}
}

// writeErrLocked returns why nothing more can be written, if so.
func (c *Conn) writeErrLocked() error {
	switch {
	case c.closed:
		return net.ErrClosed
	case c.err != nil:
		return c.err
	case c.finSent:
		return fmt.Errorf("natsconn: write after CloseWrite: %w", net.ErrClosed)
	case c.peerGone:
		return ErrPeerClosed
	}
	return nil
}

// CloseWrite closes the writing side: the peer reads what was written,
// then io.EOF, while this end may still read.
func (c *Conn) CloseWrite() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return c.opError("close", net.ErrClosed)
	case c.err != nil:
		return c.opError("close", c.err)
	case c.finSent:
		return nil
	}
	c.finSent = true
	c.writable.wake()
	if !c.peerGone && !c.sendOrBreakLocked(kindFin, nil) {
		return c.opError("close", c.err)
	}
	return nil
}

// sendLocked publishes one message to the peer, with this end's
// acknowledgements.
func (c *Conn) sendLocked(k kind, data []byte) error {
	h := header{kind: k, seq: c.sendSeq, ack: c.recvSeq, read: c.read}
	var err error
	if len(data) > smallMessage {
		// nats.go copies what it publishes, so one buffer serves every
		// connection in turn, and an idle one holds none.
		bp := large.Get().(*[]byte)
		*bp = append(appendHeader((*bp)[:0], h), data...)
		err = c.h.nc.Publish(c.peer, *bp)
		large.Put(bp)
	} else {
		c.out = append(appendHeader(c.out[:0], h), data...)
		err = c.h.nc.Publish(c.peer, c.out)
	}
	if err != nil {
		return err
	}
	c.sendSeq++
	c.announced = c.read
	if k.asksAnswer(len(data)) {
		c.answerSeq = c.sendSeq
		c.startProbeLocked()
	}
	return nil
}

// sendOrBreakLocked sends a message and reports whether it went: a
// message NATS does not take breaks the connection, since the peer would
// find a gap.
func (c *Conn) sendOrBreakLocked(k kind, data []byte) bool {
	if err := c.sendLocked(k, data); err != nil {
		c.breakLocked(fmt.Errorf("%w: %w", ErrDisconnected, err))
		return false
	}
	return true
}

// breakOff breaks the connection because of cause, unless it has ended.
func (c *Conn) breakOff(cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.breakLocked(cause)
}

// breakLocked breaks the connection and tells the peer why, best effort.
// A nats.Conn that is reconnecting keeps the reset and sends it once
// connected again.
func (c *Conn) breakLocked(cause error) {
	if c.closed || c.err != nil {
		return
	}
	if c.accepted != nil {
		c.failDialLocked(fmt.Errorf("%w: %w", ErrBroken, cause))
		return
	}
	c.err = &BrokenError{Cause: cause}
	if !c.peerGone {
		_ = c.sendLocked(kindReset, []byte{byte(reasonOf(cause))})
	}
	c.endLocked()
}

// endLocked wakes every waiting call once the connection has ended.
func (c *Conn) endLocked() {
	c.readable.wake()
	c.writable.wake()
	c.stopProbeLocked()
}

// startProbeLocked starts checking that the peer answers, unless it is
// checking already.
func (c *Conn) startProbeLocked() {
	if c.probing || c.peerGone {
		return
	}
	c.probing = true
	c.progressAck, c.progressAt = c.peerAck, time.Now()
	if c.probe == nil {
		c.probe = time.AfterFunc(c.h.probeEvery, c.check)
	} else {
		c.probe.Reset(c.h.probeEvery)
	}
}

func (c *Conn) stopProbeLocked() {
	c.probing = false
	if c.probe != nil {
		c.probe.Stop()
	}
}

// check runs while a message waits for the peer's answer: once the peer
// has acknowledged nothing for a while it pings, and after answerWithin
// the connection breaks. A peer that is alive answers a ping at once.
func (c *Conn) check() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.probing || c.closed || c.err != nil || c.peerGone || c.peerAck >= c.answerSeq {
		c.probing = false
		return
	}
	now := time.Now()
	switch {
	case c.peerAck > c.progressAck:
		c.progressAck, c.progressAt = c.peerAck, now
	case now.Sub(c.progressAt) >= c.h.answerWithin:
		c.breakLocked(fmt.Errorf("%w: nothing acknowledged for %v", ErrUnanswered, now.Sub(c.progressAt).Round(time.Millisecond)))
		return
	default:
		if !c.sendOrBreakLocked(kindPing, nil) {
			return
		}
	}
	c.probe.Reset(c.h.probeEvery)
}
