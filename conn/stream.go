package conn

import (
	"context"
	"fmt"
	gosync "sync"

	"github.com/netchan/netchan/internal/wire"
	nsync "github.com/netchan/netchan/sync"
)

// Stream is one channel pair on a connection: values in both directions,
// each direction with its own credit window. All methods are safe for
// concurrent use.
type Stream struct {
	c    *Conn
	id   uint32
	send *nsync.Sender
	recv *nsync.Receiver

	sendMu     gosync.Mutex // orders Commit with the queue
	sendClosed bool

	credits creditor

	// in holds values that arrived and were not yet taken. Credits bound
	// it: an honest peer never has more than the window outstanding, so the
	// reader never blocks on it.
	in Inbox
}

func newStream(c *Conn, id uint32, capacity int) *Stream {
	s := &Stream{
		c:    c,
		id:   id,
		send: nsync.NewSender(capacity, c.PeerMaxValue()),
		recv: nsync.NewReceiver(capacity, c.cfg.MaxValue),
	}
	if c.cfg.Inbox != nil {
		s.in = c.cfg.Inbox(s.send.Window())
	} else {
		s.in = make(byteInbox, s.send.Window())
	}
	s.credits.init(s, s.send.Window(), capacity == 0)
	return s
}

// Reserve waits for room to send one value: see [nsync.Sender.Reserve]. Every
// successful Reserve is followed by exactly one Send or Cancel.
func (s *Stream) Reserve(ctx context.Context) error {
	if ok, err := s.send.TryReserve(); ok || err != nil {
		return err
	}
	// Room may come from this end too, from a reservation cancelled or a
	// close: not a wait to spend blocked in a read.
	return s.c.waitOnReader(func() error { return s.send.Reserve(ctx) })
}

// TryReserve reserves room for one value if there is some, without
// waiting: see [nsync.Sender.TryReserve].
func (s *Stream) TryReserve() (ok bool, err error) { return s.send.TryReserve() }

// Cancel gives back a reservation.
func (s *Stream) Cancel() { s.send.Cancel() }

// Hold keeps n values of the window unused: see [nsync.Sender.Hold].
func (s *Stream) Hold(n int) { s.send.Hold(n) }

// TryReserveN reserves room for up to n values without waiting and
// returns how many it reserved: see [nsync.Sender.TryReserveN].
func (s *Stream) TryReserveN(n int) int { return s.send.TryReserveN(n) }

// CancelN gives back n reservations.
func (s *Stream) CancelN(n int) { s.send.CancelN(n) }

// Send spends a reservation to queue one encoded value and returns its
// sequence number. The value is copied; the caller may reuse it.
func (s *Stream) Send(value []byte) (uint64, error) {
	return s.SendN(1, func(int) []byte { return value })
}

// SendN spends n reservations to queue n encoded values, value(0) to
// value(n-1), in that order, in one step, and returns the first one's
// sequence number; the others follow it. The values are copied. If one is
// larger than the peer accepts, none is sent and every reservation is
// given back.
func (s *Stream) SendN(n int, value func(i int) []byte) (uint64, error) {
	max := s.c.PeerMaxValue()
	for i := range n {
		if v := value(i); len(v) > max {
			s.send.CancelN(n)
			return 0, fmt.Errorf("%w: %d bytes encoded, the peer accepts %d", ErrTooLarge, len(v), max)
		}
	}
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.sendClosed {
		s.send.CancelN(n)
		return 0, ErrSendClosed
	}
	seq := s.send.CommitN(n, func(i int) int { return len(value(i)) })
	if !s.c.w.data(s.id, seq, n, value) {
		return 0, s.c.errOrClosed()
	}
	return seq, nil
}

// WaitTaken waits until the peer's program took the value with sequence
// number seq: the rendezvous acknowledgement.
func (s *Stream) WaitTaken(ctx context.Context, seq uint64) error {
	return s.c.Await(ctx,
		func() (bool, error) { return s.send.Taken(seq) },
		func() error { return s.send.WaitTaken(ctx, seq) })
}

// Unacknowledged returns how many values were sent and not yet taken by
// the peer's program, as far as this end knows.
func (s *Stream) Unacknowledged() int { return s.send.Outstanding() }

// CloseSend tells the peer no more values follow. The peer still receives
// every value queued before. A second call does nothing.
func (s *Stream) CloseSend() error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.sendClosed {
		return nil
	}
	s.sendClosed = true
	s.send.Close(ErrSendClosed)
	if !s.c.w.count(wire.KindClose, s.id, s.send.Sent()) {
		return s.c.errOrClosed()
	}
	return nil
}

// Inbox returns the stream's inbox: the one Config.Inbox made, if set.
func (s *Stream) Inbox() Inbox { return s.in }

// Take tells the peer this end's program took one value, which frees one
// credit: the peer may send one more, and a rendezvous sender returns.
func (s *Stream) Take() { s.TakeN(1) }

// TakeN is n Takes at once.
func (s *Stream) TakeN(n int) {
	if n <= 0 {
		return
	}
	// Values taken from the inbox may still wait elsewhere, in a group
	// being handed over or in a buffered channel: only once the program
	// took every value that arrived has it caught up.
	s.credits.take(uint64(n), s.recv.TakeN(n))
}

// arrived is called by the reader for each data frame. d.Value is valid
// only during the call.
func (s *Stream) arrived(d wire.Data) error {
	if err := s.recv.OnData(d.Seq, len(d.Value)); err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	return s.in.Arrive(d.Value)
}

// closed is called by the reader for the peer's close frame.
func (s *Stream) closed(count uint64) error {
	if err := s.recv.OnClose(count); err != nil {
		return err
	}
	s.in.Close()
	return nil
}

// fail wakes every waiting sender and stops granting credits, once the
// connection started ending: the writer takes no more frames.
func (s *Stream) fail(err error) {
	s.send.Fail(err)
	s.credits.stop()
}

func (c *Conn) errOrClosed() error {
	if err := c.Err(); err != nil {
		return err
	}
	// The writer may have failed and refused the frame before the
	// connection recorded why.
	c.w.mu.Lock()
	werr := c.w.err
	c.w.mu.Unlock()
	if werr != nil {
		return lostError(werr)
	}
	return ErrClosed
}
