package conn

import (
	"fmt"

	"github.com/netchan/netchan/internal/wire"
)

// ackEvery is how many bytes of numbered frames may arrive before this end
// acknowledges them on its own, if it has nothing else to write: the peer
// keeps them until then. Acks otherwise ride on every batch written.
const ackEvery = 64 << 10

// onFrame handles a frame the reader read. The payload is valid only during
// the call.
func (s *Session) onFrame(h wire.Header, p []byte) error {
	switch h.Kind {
	case wire.KindData:
		st, err := s.stream(h.Stream)
		if err != nil {
			return err
		}
		d, err := wire.ParseData(p)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		// The header check allowed for the longest sequence number; a
		// shorter one leaves room that the value itself must not take.
		if err := s.checkSize(d.Value); err != nil {
			return err
		}
		return s.arrive(st, d.Seq, append(s.values[:0], d.Value))
	case wire.KindValues:
		st, err := s.stream(h.Stream)
		if err != nil {
			return err
		}
		vs, err := wire.ParseValues(p)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		// The whole frame is checked first: a broken one hands the
		// stream nothing.
		for check := vs; ; {
			d, ok, err := check.Next()
			if err != nil {
				return fmt.Errorf("%w: %w", ErrProtocol, err)
			}
			if !ok {
				break
			}
			if err := s.checkSize(d.Value); err != nil {
				return err
			}
		}
		for {
			seq, values := vs.Seq, s.values[:0]
			for len(values) < maxScratch {
				d, ok, _ := vs.Next() // checked above
				if !ok {
					break
				}
				values = append(values, d.Value)
			}
			if len(values) == 0 {
				return nil
			}
			if err := s.arrive(st, seq, values); err != nil {
				return err
			}
		}
	case wire.KindCredit, wire.KindClose:
		st, err := s.stream(h.Stream)
		if err != nil {
			return err
		}
		n, err := wire.ParseCount(p, h.Kind)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		if h.Kind == wire.KindCredit {
			return s.credited(st, n)
		}
		return st.closed(n)
	case wire.KindOpen:
		o, err := wire.ParseOpen(p)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		return s.peerOpened(h.Stream, o)
	case wire.KindStreams, wire.KindAck:
		n, err := wire.ParseCount(p, h.Kind)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		if h.Kind == wire.KindStreams {
			return s.morePermits(n)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.log.ack(n); err != nil {
			return err
		}
		s.rtt.acked(n)
		return nil
	case wire.KindPing:
		if len(p) != 0 {
			return fmt.Errorf("%w: ping with a payload", ErrProtocol)
		}
		return nil
	case wire.KindGoAway:
		g, err := wire.ParseGoAway(p)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		s.mu.Lock()
		s.peerBye = &g
		s.mu.Unlock()
		return errBye
	}
	return fmt.Errorf("%w: unexpected %s frame after the handshake", ErrProtocol, h.Kind)
}

// checkSize refuses a value larger than this end accepts.
func (s *Session) checkSize(value []byte) error {
	if len(value) > s.cfg.MaxValue {
		return fmt.Errorf("%w: peer sent a value of %d bytes, this end accepts %d", ErrTooLarge, len(value), s.cfg.MaxValue)
	}
	return nil
}

// arrive hands values of a frame to their stream. values is the reader's
// scratch, kept for the next frame.
func (s *Session) arrive(st *Stream, seq uint64, values [][]byte) error {
	err := st.arrived(seq, values)
	clear(values)
	s.values = values[:0]
	return err
}

// maxScratch is the most values the reader hands a stream at once: a
// values frame of more, which only values of a byte or two make, goes in
// parts, so that the reader's scratch stays small.
const maxScratch = 256

// countReceived counts size bytes of a numbered frame that arrived, and
// asks the writer for an ack when the peer holds many unacknowledged.
func (s *Session) countReceived(size uint64) {
	if r := s.received.Add(size); r-s.ackedAt.Load() >= ackEvery {
		s.signal()
	}
}

// byeError is the session's error after the peer's goodbye.
func byeError(g *wire.GoAway) error {
	if g.Code == wire.CodeNormal {
		return fmt.Errorf("%w (%s)", ErrPeerClosed, g.Reason)
	}
	return goAwayError(*g)
}
