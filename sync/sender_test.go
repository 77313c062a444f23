package sync

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

var (
	errTestFail  = errors.New("test: connection failed")
	errTestClose = errors.New("test: send side closed")
)

// canceled is a context that has ended: a Reserve or WaitTaken given it
// succeeds only if it need not wait.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// async runs f in a goroutine and returns a channel with its result.
func async(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// blocked reports whether nothing came from ch within testkit.Settle.
func blocked(ch <-chan error) bool {
	select {
	case <-ch:
		return false
	case <-time.After(testkit.Settle):
		return true
	}
}

func fill(t *testing.T, s *Sender, n int) {
	t.Helper()
	for i := range n {
		if err := s.Reserve(context.Background()); err != nil {
			t.Fatalf("reserve %d: %v", i, err)
		}
		if seq := s.Commit(0); seq != uint64(i) {
			t.Fatalf("commit %d gave sequence number %d", i, seq)
		}
	}
}

func TestSenderWindow(t *testing.T) {
	for capacity, want := range map[int]int{0: 1, 1: 1, 5: 5} {
		if got := NewSender(capacity, 0).Window(); got != want {
			t.Errorf("NewSender(%d, 0).Window() = %d, want %d", capacity, got, want)
		}
	}
}

func TestSenderReserveBlocksAtWindow(t *testing.T) {
	s := NewSender(3, 0)
	fill(t, s, 3)
	if err := s.Reserve(canceled()); !errors.Is(err, context.Canceled) {
		t.Fatalf("reserve beyond the window: %v, want context.Canceled", err)
	}
	res := async(func() error { return s.Reserve(context.Background()) })
	if !blocked(res) {
		t.Fatal("reserve beyond the window did not block")
	}
	if err := s.Grant(1); err != nil {
		t.Fatal(err)
	}
	if err, _ := testkit.Recv(t, res); err != nil {
		t.Fatalf("reserve after a credit: %v", err)
	}
	if seq := s.Commit(0); seq != 3 {
		t.Errorf("fourth value has sequence number %d", seq)
	}
	if s.Outstanding() != 3 {
		t.Errorf("outstanding %d, want 3", s.Outstanding())
	}
}

func TestSenderReservationsCount(t *testing.T) {
	s := NewSender(2, 0)
	for range 2 {
		if err := s.Reserve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Reserve(canceled()); err == nil {
		t.Fatal("uncommitted reservations did not count against the window")
	}
}

// Hold keeps room in the window, at most MaxHold of it, and a waiting
// Reserve goes on when it is given back.
func TestSenderHold(t *testing.T) {
	for _, tc := range []struct{ window, hold, room int }{
		{1, 1, 1}, {3, 1, 3}, {8, 1, 7}, {8, 100, 6}, {1024, 100, 960},
	} {
		s := NewSender(tc.window, 0)
		s.Hold(tc.hold)
		for i := range tc.room {
			if err := s.Reserve(canceled()); err != nil {
				t.Fatalf("window %d, Hold(%d): reservation %d failed: %v", tc.window, tc.hold, i, err)
			}
		}
		res := async(func() error { return s.Reserve(context.Background()) })
		if !blocked(res) {
			t.Fatalf("window %d, Hold(%d): %d reservations, want %d", tc.window, tc.hold, tc.room+1, tc.room)
		}
		if tc.room < tc.window {
			s.Hold(0)
		} else {
			s.Cancel()
		}
		if err, _ := testkit.Recv(t, res); err != nil {
			t.Fatalf("window %d: reserve with the room given back: %v", tc.window, err)
		}
	}
}

func TestSenderCancelFreesRoom(t *testing.T) {
	s := NewSender(1, 0)
	if err := s.Reserve(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := async(func() error { return s.Reserve(context.Background()) })
	if !blocked(res) {
		t.Fatal("second reserve on a window of one did not block")
	}
	s.Cancel()
	if err, _ := testkit.Recv(t, res); err != nil {
		t.Fatalf("reserve after cancel: %v", err)
	}
	if seq := s.Commit(0); seq != 0 {
		t.Errorf("a cancelled reservation used sequence number 0: got %d", seq)
	}
}

func TestSenderGrantOverflow(t *testing.T) {
	s := NewSender(4, 0)
	fill(t, s, 3)
	if err := s.Grant(1); err != nil {
		t.Fatal(err)
	}
	for _, n := range []uint64{0, 3, 1 << 40, ^uint64(0)} {
		if err := s.Grant(n); !errors.Is(err, ErrOverGrant) {
			t.Errorf("Grant(%d) with 2 outstanding: %v, want ErrOverGrant", n, err)
		}
		if s.Outstanding() != 2 || s.Sent() != 3 {
			t.Errorf("rejected Grant(%d) changed the state: outstanding %d, sent %d", n, s.Outstanding(), s.Sent())
		}
	}
	if err := s.Grant(2); err != nil {
		t.Errorf("Grant(2) with 2 outstanding: %v", err)
	}
	if err := s.Grant(1); !errors.Is(err, ErrOverGrant) {
		t.Errorf("Grant(1) with nothing outstanding: %v", err)
	}
}

func TestSenderGrantBeforeCommit(t *testing.T) {
	s := NewSender(2, 0)
	if err := s.Reserve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Grant(1); !errors.Is(err, ErrOverGrant) {
		t.Errorf("credit for a value reserved but not sent: %v, want ErrOverGrant", err)
	}
}

func TestSenderWaitTaken(t *testing.T) {
	s := NewSender(0, 0)
	fill(t, s, 1)
	done := async(func() error { return s.WaitTaken(context.Background(), 0) })
	if !blocked(done) {
		t.Fatal("WaitTaken returned before the ack")
	}
	if err := s.Grant(1); err != nil {
		t.Fatal(err)
	}
	if err, _ := testkit.Recv(t, done); err != nil {
		t.Fatalf("WaitTaken after the ack: %v", err)
	}
	if err := s.WaitTaken(canceled(), 0); err != nil {
		t.Errorf("WaitTaken for a value already taken: %v", err)
	}
}

func TestSenderWaitTakenLaterValue(t *testing.T) {
	s := NewSender(3, 0)
	fill(t, s, 3)
	done := async(func() error { return s.WaitTaken(context.Background(), 2) })
	if err := s.Grant(2); err != nil {
		t.Fatal(err)
	}
	if !blocked(done) {
		t.Fatal("WaitTaken(2) returned after acks for values 0 and 1 only")
	}
	if err := s.Grant(1); err != nil {
		t.Fatal(err)
	}
	if err, _ := testkit.Recv(t, done); err != nil {
		t.Fatal(err)
	}
}

func TestSenderFail(t *testing.T) {
	s := NewSender(1, 0)
	fill(t, s, 1)
	res := async(func() error { return s.Reserve(context.Background()) })
	wait := async(func() error { return s.WaitTaken(context.Background(), 0) })
	if !blocked(res) || !blocked(wait) {
		t.Fatal("reserve or WaitTaken did not block")
	}
	s.Fail(errTestFail)
	s.Fail(errTestClose)
	for what, ch := range map[string]<-chan error{"reserve": res, "WaitTaken": wait} {
		if err, _ := testkit.Recv(t, ch); !errors.Is(err, errTestFail) {
			t.Errorf("waiting %s after Fail: %v, want the first error", what, err)
		}
	}
	if err := s.Reserve(context.Background()); !errors.Is(err, errTestFail) {
		t.Errorf("reserve after Fail: %v", err)
	}
	if err := s.WaitTaken(context.Background(), 0); !errors.Is(err, errTestFail) {
		t.Errorf("WaitTaken after Fail: %v", err)
	}
}

func TestSenderCloseKeepsAcks(t *testing.T) {
	s := NewSender(2, 0)
	fill(t, s, 1)
	if err := s.Reserve(context.Background()); err != nil {
		t.Fatal(err)
	}
	fullRes := async(func() error { return s.Reserve(context.Background()) })
	if !blocked(fullRes) {
		t.Fatal("reserve on a full window did not block")
	}
	s.Close(errTestClose)
	if err, _ := testkit.Recv(t, fullRes); !errors.Is(err, errTestClose) {
		t.Errorf("waiting reserve after Close: %v", err)
	}
	if err := s.Reserve(context.Background()); !errors.Is(err, errTestClose) {
		t.Errorf("reserve after Close: %v", err)
	}
	s.Cancel()
	wait := async(func() error { return s.WaitTaken(context.Background(), 0) })
	if !blocked(wait) {
		t.Fatal("WaitTaken returned at Close, before the ack")
	}
	if err := s.Grant(1); err != nil {
		t.Fatalf("ack after Close: %v", err)
	}
	if err, _ := testkit.Recv(t, wait); err != nil {
		t.Errorf("WaitTaken after Close and ack: %v", err)
	}
}

func TestSenderContext(t *testing.T) {
	s := NewSender(1, 0)
	fill(t, s, 1)
	cause := errors.New("test: caller gave up")
	ctx, cancel := context.WithCancelCause(context.Background())
	res := async(func() error { return s.Reserve(ctx) })
	wait := async(func() error { return s.WaitTaken(ctx, 0) })
	if !blocked(res) || !blocked(wait) {
		t.Fatal("reserve or WaitTaken did not block")
	}
	cancel(cause)
	for what, ch := range map[string]<-chan error{"reserve": res, "WaitTaken": wait} {
		if err, _ := testkit.Recv(t, ch); !errors.Is(err, cause) {
			t.Errorf("%s after cancel: %v, want the cause", what, err)
		}
	}
	// The abandoned reserve took nothing: the window still holds one value.
	if err := s.Grant(1); err != nil {
		t.Fatal(err)
	}
	if err := s.Reserve(canceled()); err != nil {
		t.Errorf("reserve after an abandoned one: %v", err)
	}
}

// TryReserve and Taken answer at once what Reserve and WaitTaken wait for.
func TestSenderWithoutWaiting(t *testing.T) {
	s := NewSender(1, 0)
	if ok, err := s.TryReserve(); !ok || err != nil {
		t.Fatalf("TryReserve on an empty window = %v, %v", ok, err)
	}
	if ok, err := s.TryReserve(); ok || err != nil {
		t.Fatalf("TryReserve on a full window = %v, %v", ok, err)
	}
	seq := s.Commit(1)
	if taken, err := s.Taken(seq); taken || err != nil {
		t.Fatalf("Taken before the credit = %v, %v", taken, err)
	}
	if err := s.Grant(1); err != nil {
		t.Fatal(err)
	}
	if taken, err := s.Taken(seq); !taken || err != nil {
		t.Fatalf("Taken after the credit = %v, %v", taken, err)
	}
	s.Close(errTestClose)
	if ok, err := s.TryReserve(); ok || !errors.Is(err, errTestClose) {
		t.Fatalf("TryReserve after Close = %v, %v", ok, err)
	}
	s.Fail(errTestFail)
	if taken, err := s.Taken(seq + 1); taken || !errors.Is(err, errTestFail) {
		t.Fatalf("Taken after Fail = %v, %v", taken, err)
	}
}

// TryReserveN reserves what the window has room for, no more; CommitN
// numbers the values in a row; CancelN gives room back.
func TestSenderReserveCommitCancelN(t *testing.T) {
	s := NewSender(8, 0)
	s.Hold(2)
	if got := s.TryReserveN(10); got != 6 {
		t.Fatalf("TryReserveN(10) with 6 free reserved %d", got)
	}
	if got := s.TryReserveN(1); got != 0 {
		t.Fatalf("TryReserveN(1) with the window reserved reserved %d", got)
	}
	if seq := s.CommitN(4, func(int) int { return 1 }); seq != 0 {
		t.Fatalf("CommitN(4) gave first sequence number %d, want 0", seq)
	}
	if seq := s.Commit(1); seq != 4 {
		t.Fatalf("the Commit after CommitN(4) gave %d, want 4", seq)
	}
	s.CancelN(1)
	if got := s.TryReserveN(3); got != 1 {
		t.Fatalf("TryReserveN(3) after one cancel reserved %d, want 1", got)
	}
	if err := s.Grant(5); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Outstanding(), 0; got != want {
		t.Fatalf("%d outstanding, want %d", got, want)
	}
	s.Fail(errTestFail)
	if got := s.TryReserveN(1); got != 0 {
		t.Fatalf("TryReserveN after Fail reserved %d", got)
	}
}

// CommitN counts every value's size against the byte budget.
func TestSenderCommitNCountsBytes(t *testing.T) {
	const maxValue = 1 << 20
	s := NewSender(1024, maxValue)
	budget := Budget(maxValue)
	n := s.TryReserveN(1024)
	if n == 0 || uint64(n)*maxValue > budget {
		t.Fatalf("TryReserveN(1024) reserved %d values of up to %d bytes within a budget of %d", n, maxValue, budget)
	}
	s.CommitN(n, func(int) int { return maxValue })
	if got := s.TryReserveN(1); got != 0 {
		t.Fatalf("reserved %d more with %d bytes of %d outstanding", got, n*maxValue, budget)
	}
}

// MaxBytes is the byte budget where it binds, and a window of the largest
// values where that is less.
func TestSenderMaxBytes(t *testing.T) {
	if got := NewSender(4, 1000).MaxBytes(); got != 4000 {
		t.Errorf("a window of 4 values of up to 1000 bytes: MaxBytes %d; want 4000", got)
	}
	if got, want := NewSender(1024, 1<<20).MaxBytes(), Budget(1<<20); got != want {
		t.Errorf("a window of 1024 values of up to 1 MiB: MaxBytes %d; want the budget, %d", got, want)
	}
	if got := NewSender(0, 1000).MaxBytes(); got != 1000 {
		t.Errorf("a rendezvous window of values of up to 1000 bytes: MaxBytes %d; want 1000", got)
	}
}
