package netchan_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A client whose program would take every value but whose connection no
// longer reads stalls like one whose program takes nothing. With large
// values, the few that its connection's buffers hold leave most of its
// capacity unused, and its credits are not what it lacks: still it is cut
// after the stall timeout, while the others receive everything.
func TestBroadcastClientThatStopsReadingIsCut(t *testing.T) {
	const (
		size     = 1 << 20 // its buffers hold far fewer values than a receiver may keep uncredited
		values   = 80      // more than its Feed, its window's bytes and its connection hold
		capacity = 256     // a receiver may keep 64 values uncredited
		stall    = 200 * time.Millisecond
	)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ln := testkit.Loopback(t)
	errs := &errorLog{}
	send, hellos, err := netchan.Listen[[]byte](ctx, "", netchan.WithListener(ln), netchan.Insecure(),
		netchan.Broadcast(), netchan.WithStallTimeout(stall), netchan.OnError(errs.add))
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	dial := func(addr string, capacity int) (<-chan []byte, <-chan error) {
		t.Helper()
		ended := make(chan error, 1)
		out, in, err := netchan.Dial[[]byte](ctx, addr, netchan.Insecure(), netchan.WithBuffer(capacity),
			netchan.WithMaxMessageSize(2*size), netchan.OnError(func(error) {}),
			netchan.OnDone(func(err error) { ended <- err }))
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		// Connected once the listener has its hello.
		testkit.Send(t, out, []byte("hello"))
		close(out)
		if _, ok := testkit.Recv(t, hellos); !ok {
			t.Fatal("the listener's receive channel closed")
		}
		return in, ended
	}
	// The healthy client's capacity is small, so that the values it keeps
	// uncredited stay well within the window's bytes.
	healthy, _ := dial(ln.Addr().String(), 16)
	proxy := testkit.NewProxy(t, ln.Addr().String())
	unread, unreadDone := dial(proxy.Addr(), capacity)
	proxy.Stall(true)
	// Its program takes everything that reaches it.
	drained := make(chan int, 1)
	go func() {
		n := 0
		for range unread {
			n++
		}
		drained <- n
	}()

	received := make(chan error, 1)
	go func() {
		for i := range values {
			v, ok := <-healthy
			switch {
			case !ok:
				received <- errors.New("its receive channel closed early")
				return
			case len(v) != size || binary.BigEndian.Uint64(v) != uint64(i):
				received <- errors.New("it received a value out of order")
				return
			}
		}
		received <- nil
	}()
	start := time.Now()
	for i := range values {
		v := make([]byte, size)
		binary.BigEndian.PutUint64(v, uint64(i))
		testkit.Send(t, send, v)
	}
	if err := <-received; err != nil {
		t.Fatalf("the healthy client: %v", err)
	}
	if took := time.Since(start); took < stall {
		t.Errorf("the sends completed in %v, before the client that stopped reading could be cut", took)
	}
	testkit.Eventually(t, "the stall to be reported", func() bool {
		for _, err := range errs.all() {
			if errors.Is(err, netchan.ErrStalled) {
				return true
			}
		}
		return false
	})
	for _, err := range errs.all() {
		var s *netchan.StallError
		if !errors.As(err, &s) {
			t.Errorf("unexpected error: %v", err)
		} else if s.Timeout != stall {
			t.Errorf("the stall error says the timeout is %v", s.Timeout)
		}
	}
	// Its connection flows again: it finds what had reached it, then that
	// its session is gone.
	proxy.Stall(false)
	select {
	case err := <-unreadDone:
		if err == nil {
			t.Error("the session of the client that stopped reading ended cleanly")
		}
	case <-time.After(testkit.Patience):
		t.Fatal("the session of the client that stopped reading did not end")
	}
	if n := <-drained; n >= values {
		t.Errorf("the client that stopped reading received all %d values", n)
	}
	close(send)
}
