package sync

import (
	"errors"
	"testing"
)

// windowModel is what the honest side's state must be after each step of a
// FuzzWindow program, kept by plain arithmetic.
type windowModel struct {
	window uint64
	// sending side
	reserved, sent, taken uint64
	closed                bool
	// receiving side
	next, took uint64
	recvClosed bool
}

// FuzzWindow runs a Sender and a Receiver through a program of bytes. The
// first byte picks the capacity; each later byte is one operation (low three
// bits) with an argument (the other five). The honest side's own operations
// are reserve, commit, cancel, close and take; the misbehaving peer's are
// credits of any size, data with any sequence number, and closes with any
// count. Every step is checked against windowModel: the honest side never
// has more than the window outstanding, it refuses each violation with its
// own error, and a refused operation changes nothing.
func FuzzWindow(f *testing.F) {
	f.Add([]byte{2, 0, 1, 0, 1, 0, 3 | 1<<3, 0, 1})
	f.Add([]byte{0, 0, 1, 3 | 2<<3, 3 | 1<<3, 4 | 1<<3})
	f.Add([]byte{3, 5, 5, 5, 5, 6, 5, 7, 7, 5})
	f.Add([]byte{1, 5 | 1<<3, 5 | 31<<3, 7 | 3<<3, 6, 7 | 1<<3})
	f.Add([]byte{4, 0, 0, 2, 0, 1, 1, 4, 0, 3 | 31<<3, 3 | 17<<3, 4 | 2<<3})
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) == 0 {
			return
		}
		capacity := int(prog[0] % 8)
		s, r := NewSender(capacity, 0), NewReceiver(capacity, 0)
		m := windowModel{window: uint64(max(capacity, 1))}
		if got := uint64(s.Window()); got != m.window {
			t.Fatalf("capacity %d gives a window of %d, want %d", capacity, got, m.window)
		}
		for i, b := range prog[1:] {
			step(t, s, r, &m, b&7, uint64(b>>3))
			if t.Failed() {
				t.Fatalf("at step %d (byte %#x) of % x", i, b, prog)
			}
		}
	})
}

// step applies one operation to the real window and the model.
func step(t *testing.T, s *Sender, r *Receiver, m *windowModel, op uint8, arg uint64) {
	switch op {
	case 0: // the program wants to send: reserve without waiting
		err := s.Reserve(canceled())
		room := m.sent+m.reserved-m.taken < m.window
		switch {
		case m.closed:
			if !errors.Is(err, errTestClose) {
				t.Errorf("reserve after close: %v", err)
			}
		case room && err != nil:
			t.Errorf("reserve with room in the window: %v", err)
		case !room && err == nil:
			t.Errorf("reserve succeeded with %d sent, %d reserved, %d taken, window %d", m.sent, m.reserved, m.taken, m.window)
		case err == nil:
			m.reserved++
		}
	case 1: // the value is written
		if m.reserved == 0 {
			return
		}
		if seq := s.Commit(0); seq != m.sent {
			t.Errorf("commit gave sequence number %d, want %d", seq, m.sent)
		}
		m.reserved--
		m.sent++
	case 2: // the program gave up on a send
		if m.reserved == 0 {
			return
		}
		s.Cancel()
		m.reserved--
	case 3: // credits from the peer, honest or not
		n := peerCount(arg, m.sent-m.taken)
		err := s.Grant(n)
		if n == 0 || n > m.sent-m.taken {
			if !errors.Is(err, ErrOverGrant) {
				t.Errorf("Grant(%d) with %d outstanding: %v, want ErrOverGrant", n, m.sent-m.taken, err)
			}
		} else if err != nil {
			t.Errorf("Grant(%d) with %d outstanding: %v", n, m.sent-m.taken, err)
		} else {
			m.taken += n
		}
	case 4: // close the sending side, or check a rendezvous wait
		if arg == 0 {
			s.Close(errTestClose)
			m.closed = true
			return
		}
		seq := arg - 1
		err := s.WaitTaken(canceled(), seq)
		if (m.taken > seq) != (err == nil) {
			t.Errorf("WaitTaken(%d) with %d taken: %v", seq, m.taken, err)
		}
	case 5: // data from the peer: in sequence for even args, else anywhere
		seq := m.next
		if arg&1 == 1 {
			seq = m.next + arg/2 - 8 // wraps below zero for a replay of the distant past
		}
		err := r.OnData(seq, 0)
		var want error
		switch {
		case m.recvClosed:
			want = ErrAfterClose
		case seq != m.next:
			want = ErrSequence
		case m.next-m.took >= m.window:
			want = ErrOverrun
		}
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("OnData(%d) with %d arrived, %d taken, window %d, closed %v: %v, want %v", seq, m.next, m.took, m.window, m.recvClosed, err, want)
		}
		if err == nil {
			m.next++
		}
	case 6: // the program takes a value that arrived
		if m.next == m.took {
			return
		}
		r.Take()
		m.took++
	case 7: // the peer closes after some count
		count := m.next
		if arg&1 == 1 {
			count = peerCount(arg/2, m.next)
		}
		err := r.OnClose(count)
		var want error
		switch {
		case m.recvClosed:
			want = ErrAfterClose
		case count != m.next:
			want = ErrCloseCount
		}
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("OnClose(%d) with %d arrived, closed %v: %v, want %v", count, m.next, m.recvClosed, err, want)
		}
		if err == nil {
			m.recvClosed = true
		}
	}
	check(t, s, r, m)
}

// peerCount turns a fuzz argument into a count a peer might send: small
// numbers, numbers near the honest value, and the largest.
func peerCount(arg, honest uint64) uint64 {
	switch {
	case arg < 8:
		return arg
	case arg == 31 || arg == 15:
		return ^uint64(0) - arg%2
	}
	return honest + arg%8 - 3
}

func check(t *testing.T, s *Sender, r *Receiver, m *windowModel) {
	t.Helper()
	if got := s.Outstanding(); uint64(got) != m.sent-m.taken || uint64(got) > m.window {
		t.Errorf("sender: %d outstanding, model %d, window %d", got, m.sent-m.taken, m.window)
	}
	if got := s.Sent(); got != m.sent {
		t.Errorf("sender: %d sent, model %d", got, m.sent)
	}
	if got := r.Arrived(); got != m.next || got-m.took > m.window {
		t.Errorf("receiver: %d arrived, model %d, %d taken, window %d", got, m.next, m.took, m.window)
	}
}
