package conn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"

	"github.com/netchan/netchan/internal/pool"
	"github.com/netchan/netchan/internal/wire"
)

// run is the session's goroutine: it serves each connection in turn,
// writing frames while another goroutine reads, and between two of them
// waits for the next, until the session ends.
func (s *Session) run(c *carrier) {
	defer s.finish()
	for {
		err := s.serve(c)
		if err == nil {
			if !s.resumesToClose(c) {
				return // the session ended, and the peer was told
			}
			err = c.err
		}
		if s.window == 0 {
			s.fail(err)
			return
		}
		if c = s.reconnect(err); c == nil {
			return
		}
	}
}

// serve writes frames on c until the session ends or c breaks. It returns
// nil once the session ended and its last frame was written, and why c
// broke otherwise.
func (s *Session) serve(c *carrier) error {
	c.dog = startWatchdog(s, c)
	go c.read()
	err := s.writeLoop(c)
	c.close(err == nil)
	return err
}

// writeLoop writes what the session queues, in batches: each time it
// wakes, it writes everything queued since it last did, so a busy session
// makes one write for many frames, and an idle one flushes each at once.
func (s *Session) writeLoop(c *carrier) error {
	var own []byte // the writer's buffer for batches of up to keepLog
	for {
		select {
		case <-s.wake:
		case <-c.dead:
			if errors.Is(c.err, ErrConnLost) {
				return c.err
			}
			// The peer said goodbye, or broke the protocol: the session
			// ends, and the peer hears why, once what was queued is out.
			s.mu.Lock()
			if c.err == errBye {
				s.endLocked(byeError(s.peerBye))
			} else {
				s.endLocked(c.err)
			}
			s.mu.Unlock()
		}
		// Let goroutines that are ready to queue frames do so first: under
		// load this turns many small writes into one, and when idle it
		// costs a trip through the scheduler and nothing more.
		runtime.Gosched()
		s.wmu.Lock()
		s.mu.Lock()
		dst, big := s.batchBuffer(own)
		batch, more, last := s.batchLocked(dst)
		s.mu.Unlock()
		var err error
		if len(batch) > 0 {
			err = c.write(batch, s.cfg.IdleTimeout)
		}
		s.wmu.Unlock()
		if big != nil {
			pool.Put(big)
		} else if cap(batch) <= keepLog {
			own = batch
		}
		if err != nil {
			c.fail(err)
			if last {
				return nil // the session ended anyway
			}
			return err
		}
		if last {
			return nil
		}
		if more {
			s.signal()
		}
	}
}

// batchBuffer returns what the next batch is appended to: the writer's own
// buffer, or, for more than keepLog bytes, a buffer from the pool, which
// big holds for the writer to give back once the batch is written. A
// session busy with a window of values needs up to maxBatch for each
// write, and an idle one should hold no such buffer: the pool, shared by
// every session, gives both with no policy of its own.
func (s *Session) batchBuffer(own []byte) (dst []byte, big *[]byte) {
	n := s.log.unwritten() + controlRoom
	if n <= keepLog {
		return own[:0], nil
	}
	big = pool.Get(min(n, maxBatch))
	return (*big)[:0], big
}

// controlRoom is the room a batch needs beside the log's frames counted
// before it is taken, for those the writer adds as it takes it: an ack, a
// ping, the credits owed. A batch holds at most maxBatch bytes either way,
// unless a single frame is larger; one that outgrows its buffer moves to a
// larger array as any append does, and the pool's buffer goes back unused.
const controlRoom = 64

// maxBatch bounds one batch, so that frames queued while it is written
// wait for at most that much.
const maxBatch = 256 << 10

// batchLocked appends to dst what the writer writes next: an ack of what
// arrived, a ping the watchdog asked for, the credits owed, and what the
// log has not written, up to maxBatch. Once the session has ended and
// everything is out, the goodbye follows, and last says the writer is done.
func (s *Session) batchLocked(dst []byte) (batch []byte, more, last bool) {
	if s.err != nil && s.handing == 0 && !s.byeDue {
		// What the program took goes out before the goodbye, so that the
		// peer knows exactly which of its values were received.
		for _, st := range s.streams {
			if n := st.credits.owed(); n > 0 {
				s.addCreditLocked(st.id, n)
			}
		}
	}
	if r := s.received.Load(); r > s.ackedAt.Load() {
		dst = appendFrame(dst, wire.KindAck, 0, func(b []byte) []byte { return wire.AppendCount(b, r) })
		s.ackedAt.Store(r)
	}
	if s.pingDue {
		s.pingDue = false
		dst = appendFrame(dst, wire.KindPing, 0, func(b []byte) []byte { return b })
	}
	for _, cr := range s.credits {
		s.log.count(wire.KindCredit, cr.stream, cr.n)
	}
	s.credits = s.credits[:0]
	before := s.log.wrote
	dst = s.log.take(dst, maxBatch-len(dst))
	if s.log.wrote != before {
		s.rtt.written(s.log.wrote)
	}
	s.checkAckedLocked()
	if s.log.unwritten() <= maxQueued {
		s.space.Broadcast()
	}
	if s.log.unwritten() > 0 {
		return dst, true, false
	}
	if s.err == nil || s.handing > 0 {
		return dst, false, false
	}
	reason := "closed"
	if !errors.Is(s.err, ErrClosed) {
		reason = s.err.Error()
	}
	dst = appendFrame(dst, wire.KindGoAway, 0, func(b []byte) []byte {
		return wire.AppendGoAway(b, wire.GoAway{Code: codeOf(s.err), Reason: reason})
	})
	s.byeDue = true
	return dst, false, true
}

// appendFrame appends a frame of kind on stream whose payload add writes.
func appendFrame(dst []byte, kind wire.Kind, stream uint32, add func([]byte) []byte) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, wire.Header{Kind: kind, Stream: stream})
	dst = add(dst)
	wire.PutLength(dst, start, len(dst)-start-wire.HeaderSize)
	return dst
}

// resumesToClose reports whether a session closing by CloseContext
// resumes after c, on which it said goodbye: c was cut, or silent for the
// linger, before the peer's own goodbye came. That follows the peer's last
// ack and says it read ours; without it, the peer may have neither, and
// would wait for a resume and lose the session.
func (s *Session) resumesToClose(c *carrier) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumeClosing && s.window > 0 && errors.Is(c.err, ErrConnLost)
}

// fail ends the session with err, unless it ended already.
func (s *Session) fail(err error) {
	s.mu.Lock()
	s.endLocked(err)
	s.mu.Unlock()
}

// finish runs once the session's goroutine is done with its last
// connection.
func (s *Session) finish() {
	s.mu.Lock()
	s.endLocked(ErrClosed) // a no-op unless run returned without a reason
	s.cur = nil
	s.finished = true
	s.flushed = s.closing && (s.log.end() == s.log.base || s.byeRead)
	if !s.flushed && s.gaveUp != nil {
		s.err = s.gaveUp
	}
	s.cancel()
	after := s.afterDone
	s.afterDone = nil
	s.mu.Unlock()
	if s.release != nil {
		s.release()
	}
	for _, f := range after {
		f()
	}
	close(s.done)
}

// flush sees frames just queued written: by the writer goroutine, or, on a
// rendezvous session whose connection no one is writing to, by the caller
// itself. A rendezvous sender waits for each value's acknowledgement, so
// there is nothing to batch, and writing at once saves the writer's wake-up
// at both ends of every round trip. The frames are few and small, so the
// write does not wait for the peer.
func (s *Session) flush() {
	if s.capacity != 0 || !s.wmu.TryLock() {
		s.signal()
		return
	}
	s.mu.Lock()
	c := s.cur
	if c == nil || s.err != nil {
		s.mu.Unlock()
		s.wmu.Unlock()
		s.signal()
		return
	}
	batch, more, _ := s.batchLocked(s.inline[:0])
	s.mu.Unlock()
	var err error
	if len(batch) > 0 {
		err = c.write(batch, s.cfg.IdleTimeout)
	}
	s.inline = batch[:0]
	s.wmu.Unlock()
	if err != nil {
		c.fail(err)
	}
	if more {
		s.signal()
	}
}

// checkAckedLocked ends the session with ErrLimit once the peer leaves
// more written bytes unacknowledged than its streams' windows allow, with
// as much again as the writer may queue for the frames besides values: a
// peer that credits values but never acknowledges their frames would
// otherwise make the send log grow without bound. An honest peer
// acknowledges every frame it read in each batch it writes, before the
// credits in it.
func (s *Session) checkAckedLocked() {
	n := s.log.wrote - s.log.base
	if n <= maxQueued || s.err != nil {
		return
	}
	limit := uint64(maxQueued)
	for _, st := range s.streams {
		limit += st.send.MaxBytes() + uint64(st.send.Window())*maxDataOverhead
	}
	if n > limit {
		s.endLocked(fmt.Errorf("%w: the peer left %d bytes unacknowledged, more than its windows allow (%d)", ErrLimit, n, limit))
	}
}

// maxDataOverhead is the most a data frame adds to its value.
const maxDataOverhead = wire.HeaderSize + binary.MaxVarintLen64
