package sync

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	gosync "sync"
)

// Sender is the sending side's credit window. All methods are safe for
// concurrent use.
//
// A send takes three steps: [Sender.Reserve] waits for room in the window,
// [Sender.Commit] turns the reservation into the next sequence number when the
// value is written, and [Sender.Grant] records the credits the peer returns.
// Reserving before the value exists is what lets a pump take a value from a Go
// channel only when the window has room for it, so the pump adds no hidden slot
// to the capacity.
type Sender struct {
	mu       gosync.Mutex
	window   uint64
	held     uint64          // of the window, kept unused: see Hold
	reserved uint64          // reservations not yet committed
	sent     uint64          // values committed; the next value's sequence number
	taken    uint64          // values the peer says its program took
	err      error           // fails every wait
	closed   error           // fails Reserve only: no more values, but acks still come
	waiters  []chan struct{} // one per waiting goroutine, woken on the next change

	budget   uint64 // bytes that may be outstanding; 0: no bound
	maxValue uint64 // what a reservation may become, in bytes
	out      sizes  // sizes of the values outstanding
	// The oldest reservations whose values' sizes are known: see Sized.
	// sizedBytes is at least what those values hold in all.
	sized      uint64
	sizedBytes uint64
}

// NewSender returns a window for a stream of the given capacity, to a peer
// that accepts values of up to maxValue bytes; see [Budget]. Capacity 0
// (rendezvous) gives a window of one value. maxValue 0 leaves the window
// unbounded in bytes, as does a window too small for the budget to bind.
func NewSender(capacity, maxValue int) *Sender {
	s := &Sender{window: uint64(max(capacity, 1)), maxValue: uint64(max(maxValue, 0))}
	s.budget = budgetFor(s.window, maxValue)
	return s
}

// Window returns how many values may be outstanding at once.
func (s *Sender) Window() int { return int(s.window) }

// MaxBytes returns how many bytes of values may be outstanding at once: the
// byte budget, or a window of the largest values where that is less; 0 if
// the window is not bounded in bytes (maxValue 0).
func (s *Sender) MaxBytes() uint64 {
	if s.budget > 0 {
		return s.budget
	}
	return s.window * s.maxValue
}

// Hold keeps n values of the window unused, at most MaxHold of it, until
// the next Hold: room for values the sending program counts as sent that
// are not outstanding yet, such as those in a buffered channel a pump
// takes them from. Those and the outstanding ones together then stay
// within the window. Hold(0) gives the room back.
func (s *Sender) Hold(n int) {
	s.mu.Lock()
	s.held = uint64(min(max(n, 0), MaxHold(int(s.window))))
	s.notifyLocked()
	s.mu.Unlock()
}

// MaxHold is the most of a window of n values a sender may hold (see
// [Sender.Hold]): a quarter, at most 64 values. A receiver relies on the
// bound: once it holds n-MaxHold(n) values that its program may have
// taken, the sender may be waiting for them, and it must find out.
func MaxHold(n int) int { return min(n/4, 64) }

// Reserve waits until the window has room for one more value and holds that
// room until [Sender.Commit] or [Sender.Cancel]. It fails with ctx's error, or
// with the error given to [Sender.Fail].
func (s *Sender) Reserve(ctx context.Context) error {
	s.mu.Lock()
	for {
		if err := cmp.Or(s.err, s.closed); err != nil {
			s.mu.Unlock()
			return err
		}
		if s.roomLocked() {
			s.reserved++
			s.mu.Unlock()
			return nil
		}
		if err := s.waitLocked(ctx); err != nil {
			return err
		}
	}
}

// TryReserve reserves room for one value if the window has it, without
// waiting. err is what Reserve would fail with.
func (s *Sender) TryReserve() (ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := cmp.Or(s.err, s.closed); err != nil {
		return false, err
	}
	if s.roomLocked() {
		s.reserved++
		return true, nil
	}
	return false, nil
}

// TryReserveN reserves room for up to n values, as much as the window has,
// without waiting, and returns how many it reserved: n reservations in one
// step, for a sender with several values at hand. Each is then spent or
// cancelled like one from Reserve.
func (s *Sender) TryReserveN(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil || s.closed != nil {
		return 0
	}
	got := 0
	for got < n && s.roomLocked() {
		s.reserved++
		got++
	}
	return got
}

// roomLocked reports whether one more value may be reserved.
func (s *Sender) roomLocked() bool {
	if s.sent+s.reserved-s.taken+s.held >= s.window {
		return false
	}
	return s.budget == 0 || s.out.total+s.sizedBytes+(s.reserved-s.sized+1)*s.maxValue <= s.budget
}

// Sized says that n values, given to reservations in the order those are
// committed and not said so yet, hold size bytes in all, known before they
// are committed: until then they count that much of the byte budget, not
// the largest value each. A sender that reserves ahead and keeps many
// values waiting to be written, as a broadcast listener does for each
// client, would otherwise run out of budget long before it runs out of
// window.
//
// Sized may be told late, once some of the n values were committed: it
// then counts their bytes for the others, which errs on the safe side.
// But no reservation may be waiting for a value then, and none of the n
// may have been cancelled unless it was larger than the largest value the
// peer accepts: each would let the others be counted for less than they
// hold. Values must be committed with the sizes said here.
func (s *Sender) Sized(n int, size uint64) {
	if n <= 0 || s.budget == 0 {
		return
	}
	s.mu.Lock()
	n = min(n, int(s.reserved-s.sized))
	s.sized += uint64(n)
	s.sizedBytes += size
	s.notifyLocked()
	s.mu.Unlock()
}

// unsizeLocked forgets n sized reservations that go, without knowing which:
// their bytes stay counted, which errs on the safe side, until none is left.
func (s *Sender) unsizeLocked(n uint64) {
	s.sized -= min(n, s.sized)
	if s.sized == 0 {
		s.sizedBytes = 0
	}
}

// Cancel gives back a reservation that will not be used.
func (s *Sender) Cancel() { s.CancelN(1) }

// CancelN gives back n reservations that will not be used.
func (s *Sender) CancelN(n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	s.reserved -= uint64(n)
	s.unsizeLocked(uint64(n))
	s.notifyLocked()
	s.mu.Unlock()
}

// Commit spends a reservation on a value of size bytes, at most the peer's
// largest, and returns the value's sequence number. Callers that send
// concurrently must commit in the order their values are written.
func (s *Sender) Commit(size int) uint64 {
	return s.CommitN(1, func(int) int { return size })
}

// CommitN is n Commits in one step, of values whose sizes size(0) to
// size(n-1) gives, and returns the first value's sequence number; the
// others follow it.
func (s *Sender) CommitN(n int, size func(i int) int) uint64 {
	s.mu.Lock()
	s.reserved -= uint64(n)
	seq := s.sent
	s.sent += uint64(n)
	if s.budget > 0 {
		small := false
		sized := min(uint64(n), s.sized) // the oldest are the sized ones
		for i := range n {
			sz := size(i)
			s.out.push(uint32(sz))
			if uint64(i) < sized {
				s.sizedBytes -= min(uint64(sz), s.sizedBytes)
			}
			small = small || uint64(sz) < s.maxValue
		}
		s.unsizeLocked(sized)
		if small && s.sent+s.reserved-s.taken+s.held < s.window {
			// A reservation counted the largest size; the rest is free,
			// which matters to a waiter only if the window has room.
			s.notifyLocked()
		}
	}
	s.mu.Unlock()
	return seq
}

// Grant records n credits from the peer: its program took n more values. It
// fails, and changes nothing, if that is more values than were sent.
func (s *Sender) Grant(n uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n == 0 || n > s.sent-s.taken {
		return fmt.Errorf("%w: %d credits with %d values outstanding", ErrOverGrant, n, s.sent-s.taken)
	}
	s.taken += n
	if s.budget > 0 {
		s.out.pop(n)
	}
	s.notifyLocked()
	return nil
}

// WaitTaken waits until the peer's program took the value with sequence
// number seq. This is the rendezvous acknowledgement.
func (s *Sender) WaitTaken(ctx context.Context, seq uint64) error {
	s.mu.Lock()
	for s.taken <= seq {
		if s.err != nil {
			s.mu.Unlock()
			return s.err
		}
		if err := s.waitLocked(ctx); err != nil {
			return err
		}
	}
	s.mu.Unlock()
	return nil
}

// Taken reports whether the peer's program took the value with sequence
// number seq, without waiting. err is what WaitTaken would return when it
// cannot come.
func (s *Sender) Taken(seq uint64) (taken bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken > seq {
		return true, nil
	}
	return false, s.err
}

// Acknowledged returns how many values the peer's program took.
func (s *Sender) Acknowledged() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.taken
}

// Outstanding returns how many values were sent and not yet taken.
func (s *Sender) Outstanding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.sent - s.taken)
}

// Fail makes every waiting and later Reserve and WaitTaken return err. The
// first error sticks.
func (s *Sender) Fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.notifyLocked()
	s.mu.Unlock()
}

// Close makes every waiting and later Reserve return err, while WaitTaken
// still waits for the acknowledgements of values already sent.
func (s *Sender) Close(err error) {
	s.mu.Lock()
	if s.closed == nil {
		s.closed = err
	}
	s.notifyLocked()
	s.mu.Unlock()
}

// waitLocked sleeps until the next change or ctx's end. It is entered with
// s.mu held and returns with it held, except on error, when it is released.
//
// Each waiter waits on a channel of its own, taken from a pool, rather than
// on one channel closed for all: a closed channel cannot be reused, and a
// rendezvous sender waits once per value.
func (s *Sender) waitLocked(ctx context.Context) error {
	w := wakeups.Get().(chan struct{})
	s.waiters = append(s.waiters, w)
	s.mu.Unlock()
	var err error
	select {
	case <-w:
	case <-ctx.Done():
		err = context.Cause(ctx)
	}
	s.mu.Lock()
	if err != nil {
		s.waiters = slices.DeleteFunc(s.waiters, func(c chan struct{}) bool { return c == w })
	}
	select {
	case <-w: // a wake-up that raced the cancellation
	default:
	}
	wakeups.Put(w)
	if err != nil {
		s.mu.Unlock()
	}
	return err
}

// notifyLocked wakes every waiter. A waiter is registered once and woken
// once, and its channel holds one wake-up, so the send never blocks.
func (s *Sender) notifyLocked() {
	for _, w := range s.waiters {
		w <- struct{}{}
	}
	clear(s.waiters)
	s.waiters = s.waiters[:0]
}

// wakeups recycles the waiters' channels, which are empty when put back.
var wakeups = gosync.Pool{New: func() any { return make(chan struct{}, 1) }}

// Sent returns how many values were committed.
func (s *Sender) Sent() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}
