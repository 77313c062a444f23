package conn

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan/internal/wire"
	nsync "github.com/netchan/netchan/sync"
)

// Stream is one channel pair of a session: values in both directions, each
// direction with its own credit window, order and close. All methods are
// safe for concurrent use.
type Stream struct {
	s        *Session
	id       uint32
	meta     []byte
	capacity int
	send     *nsync.Sender
	recv     *nsync.Receiver
	credits  creditor
	onAck    atomic.Pointer[func(acked uint64)]
	waited   atomic.Int64 // nanoseconds sends waited for credits: see Stats

	// in holds values that arrived and were not yet taken. Credits bound
	// it: an honest peer never has more than the window outstanding, so the
	// reader never blocks on it.
	in Inbox

	// Guarded by the session's mu.
	sendClosed bool
	claimed    bool // a stream the peer opened was returned by Claim or Accept
	peerClosed bool // the peer's close arrived
	recvDone   bool // and this end's program took it
}

func newStream(s *Session, id uint32, capacity int, meta []byte, in Inbox) *Stream {
	st := &Stream{
		s:        s,
		id:       id,
		meta:     meta,
		capacity: capacity,
		send:     nsync.NewSender(capacity, s.PeerMaxValue()),
		recv:     nsync.NewReceiver(capacity, s.cfg.MaxValue),
		in:       in,
	}
	if st.in == nil {
		st.in = newByteInbox(st.send.Window())
	}
	st.credits.init(st, st.send.Window())
	return st
}

// ID returns the stream's id: odd for streams the dialer opened, even for
// the listener's; the main stream is 1.
func (st *Stream) ID() uint32 { return st.id }

// Meta returns what the open frame said the stream carries; nil for the
// main stream.
func (st *Stream) Meta() []byte { return st.meta }

// Capacity returns the stream's capacity; 0 is rendezvous.
func (st *Stream) Capacity() int { return st.capacity }

// Session returns the session the stream belongs to.
func (st *Stream) Session() *Session { return st.s }

// Reserve waits for room to send one value: see [nsync.Sender.Reserve]. Every
// successful Reserve is followed by exactly one Send or Cancel.
func (st *Stream) Reserve(ctx context.Context) error {
	if ok, err := st.send.TryReserve(); ok || err != nil {
		return err
	}
	defer st.waitedSince(time.Now())
	return st.s.waitOnReader(func() error { return st.send.Reserve(ctx) })
}

// TryReserve reserves room for one value if there is some, without
// waiting: see [nsync.Sender.TryReserve].
func (st *Stream) TryReserve() (ok bool, err error) { return st.send.TryReserve() }

// TryReserveN reserves room for up to n values without waiting and
// returns how many it reserved: see [nsync.Sender.TryReserveN].
func (st *Stream) TryReserveN(n int) int { return st.send.TryReserveN(n) }

// Cancel gives back a reservation.
func (st *Stream) Cancel() { st.send.Cancel() }

// CancelN gives back n reservations.
func (st *Stream) CancelN(n int) { st.send.CancelN(n) }

// Sized says n values given to reservations, in the order those are
// committed, hold size bytes in all: see [nsync.Sender.Sized], and what it
// forbids.
func (st *Stream) Sized(n int, size uint64) { st.send.Sized(n, size) }

// Hold keeps n values of the window unused: see [nsync.Sender.Hold].
func (st *Stream) Hold(n int) { st.send.Hold(n) }

// Send spends a reservation to queue one encoded value and returns its
// sequence number. The value is copied; the caller may reuse it.
func (st *Stream) Send(value []byte) (uint64, error) {
	return st.SendN(1, func(int) []byte { return value })
}

// SendN spends n reservations to queue n encoded values, value(0) to
// value(n-1), in that order, in one step, and returns the first one's
// sequence number; the others follow it. The values are copied. If one is
// larger than the peer accepts, none is sent and every reservation is
// given back.
func (st *Stream) SendN(n int, value func(i int) []byte) (uint64, error) {
	limit := st.s.PeerMaxValue()
	for i := range n {
		if v := value(i); len(v) > limit {
			st.send.CancelN(n)
			return 0, fmt.Errorf("%w: %d bytes encoded, the peer accepts %d", ErrTooLarge, len(v), limit)
		}
	}
	s := st.s
	s.mu.Lock()
	for s.log.unwritten() > maxQueued && s.err == nil {
		s.space.Wait()
	}
	switch {
	case s.err != nil:
		err := s.err
		s.mu.Unlock()
		st.send.CancelN(n)
		return 0, err
	case st.sendClosed:
		s.mu.Unlock()
		st.send.CancelN(n)
		return 0, ErrSendClosed
	}
	seq := st.send.CommitN(n, func(i int) int { return len(value(i)) })
	st.queue(seq, n, value)
	s.mu.Unlock()
	s.flush()
	return seq, nil
}

// queue appends n values to the session's log, numbered from seq: runs of
// values that fit together in a values frame as one, the others in data
// frames. The session's mu is held.
func (st *Stream) queue(seq uint64, n int, value func(i int) []byte) {
	for i := 0; i < n; {
		payload, fit := 0, 1 // a value alone goes in a data frame
		if n-i > 1 {
			payload, fit = wire.ValuesSize(seq+uint64(i), n-i, func(j int) int { return len(value(i + j)) })
		}
		if fit < 2 {
			st.s.log.data(st.id, seq+uint64(i), value(i))
			i++
			continue
		}
		st.s.log.values(st.id, seq+uint64(i), payload, i, i+fit, value)
		i += fit
	}
}

// maxQueued is how many bytes may wait to be written before a send waits.
// A sender with credit for many large values would otherwise encode them
// all at once, far ahead of what the network takes: memory for nothing,
// and slower, since the queue outgrows the caches.
const maxQueued = 1 << 20

// WaitTaken waits until the peer's program took the value with sequence
// number seq: the rendezvous acknowledgement.
func (st *Stream) WaitTaken(ctx context.Context, seq uint64) error {
	if ok, err := st.send.Taken(seq); ok || err != nil {
		return err
	}
	defer st.waitedSince(time.Now())
	return st.s.Await(ctx,
		func() (bool, error) { return st.send.Taken(seq) },
		func() error { return st.send.WaitTaken(ctx, seq) })
}

// OnAck makes the goroutine reading the connection call f each time
// credits from the peer say its program took more of the values sent on
// the stream: acked is how many it took in all, the values numbered below
// it. f must not block. Set it before the first send: credits are for
// values sent.
func (st *Stream) OnAck(f func(acked uint64)) { st.onAck.Store(&f) }

// Unacknowledged returns how many values were sent and not yet taken by
// the peer's program, as far as this end knows.
func (st *Stream) Unacknowledged() int { return st.send.Outstanding() }

// Acknowledged returns how many values the peer's program took, as far as
// this end knows: the values numbered below it.
func (st *Stream) Acknowledged() uint64 { return st.send.Acknowledged() }

// CloseSend tells the peer no more values follow. The peer still receives
// every value queued before. A second call does nothing.
func (st *Stream) CloseSend() error {
	s := st.s
	s.mu.Lock()
	if st.sendClosed {
		s.mu.Unlock()
		return nil
	}
	if err := s.err; err != nil {
		s.mu.Unlock()
		return err
	}
	st.sendClosed = true
	st.send.Close(ErrSendClosed)
	s.log.count(wire.KindClose, st.id, st.send.Sent())
	s.retireLocked(st)
	s.mu.Unlock()
	s.signal()
	return nil
}

// Inbox returns the stream's inbox.
func (st *Stream) Inbox() Inbox { return st.in }

// Take tells the peer this end's program took one value, which frees one
// credit: the peer may send one more, and a rendezvous sender returns.
func (st *Stream) Take() { st.TakeN(1) }

// HandOver gives a value taken from the stream to this end's program,
// by put, and counts it taken if put says the program has it: one step as
// far as the session's last credits go. Otherwise a session ending between
// the two would say its goodbye without the value's credit, and the peer
// would report undelivered a value the program received. The goodbye
// waits for a hand-over under way, so put must return promptly once Ending
// is closed. HandOver returns put's answer, and false without calling put
// once the session is ending.
func (st *Stream) HandOver(put func() bool) bool {
	s := st.s
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return false
	}
	s.handing++
	s.mu.Unlock()
	defer func() { // even if put panics: the goodbye must not wait for ever
		s.mu.Lock()
		s.handing--
		last := s.handing == 0 && s.err != nil
		s.mu.Unlock()
		if last {
			s.signal() // the writer may say goodbye now
		}
	}()
	ok := put()
	if ok {
		st.Take()
	}
	return ok
}

// TakeN is n Takes at once.
func (st *Stream) TakeN(n int) {
	if n > 0 {
		st.credits.take(uint64(n))
	}
}

// Withhold keeps the credits of the first n values taken from the peer:
// they stand for values this end's program has not received yet although
// they left the inbox, such as those in a buffered Go channel a pump fills.
// The peer may then have at most the window outstanding counting those
// too, and each later take frees one credit. Withhold may be called again
// with a smaller n, when some of those values were received after all. At
// most the window less one may be withheld: the peer then always has room
// for one value, whose arrival lets this end see its program took another.
func (st *Stream) Withhold(n int) { st.credits.withhold(uint64(n)) }

// KeepsBuffered says that the values whose credits this end withholds
// (see Withhold) stay its program's when the session ends, as a closed Go
// channel keeps the values in its buffer: the session then counts them
// taken, and says so before its goodbye, so that the peer does not count
// them undelivered.
func (st *Stream) KeepsBuffered() {
	st.credits.mu.Lock()
	st.credits.kept = true
	st.credits.mu.Unlock()
}

// TookClose tells the stream that this end's program saw the peer's close:
// once both directions are closed and done, the stream is forgotten.
func (st *Stream) TookClose() {
	s := st.s
	s.mu.Lock()
	st.recvDone = true
	s.retireLocked(st)
	s.mu.Unlock()
}

// arrived is called by the reader for the values of a data or values
// frame, values[0] numbered seq and the others on from it. They are valid
// only during the call.
func (st *Stream) arrived(seq uint64, values [][]byte) error {
	var err error
	if len(values) == 1 { // a data frame's
		err = st.recv.OnData(seq, len(values[0]))
	} else {
		err = st.recv.OnValues(seq, len(values), func(i int) int { return len(values[i]) })
	}
	if err != nil {
		return fmt.Errorf("%w: stream %d: %w", ErrProtocol, st.id, err)
	}
	if err := st.in.Arrive(values); err != nil {
		return err
	}
	st.credits.arrived()
	return nil
}

// closed is called by the reader for the peer's close frame.
func (st *Stream) closed(count uint64) error {
	if err := st.recv.OnClose(count); err != nil {
		return fmt.Errorf("%w: stream %d: %w", ErrProtocol, st.id, err)
	}
	st.s.mu.Lock()
	st.peerClosed = true
	st.s.mu.Unlock()
	st.in.Close()
	return nil
}

// fail wakes every waiting sender once the session ended.
func (st *Stream) fail(err error) { st.send.Fail(err) }
