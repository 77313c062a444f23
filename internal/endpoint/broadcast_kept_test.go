package endpoint_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/testkit"
)

// undeliveredLog records what a Broadcaster reports undelivered.
type undeliveredLog struct {
	mu     sync.Mutex
	values []int
	causes []error
}

func (l *undeliveredLog) add(v int, cause error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.values, l.causes = append(l.values, v), append(l.causes, cause)
}

func (l *undeliveredLog) all() ([]int, []error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int(nil), l.values...), append([]error(nil), l.causes...)
}

// alone is a Broadcaster whose one client left once Run had found room
// for it and waited for the program's value, 7, which a send then offers.
type alone struct {
	send  chan int
	b     *endpoint.Broadcaster[int]
	log   *undeliveredLog
	taken chan struct{} // closed once Run took 7
	stop  func()        // ends Run, with errListenerEnded, and waits for it
	// A client the Broadcaster has not met yet: the listener's end and
	// the dialer's.
	next, nextDialer *endpoint.Conn[int]
}

var errListenerEnded = errors.New("the listener ended")

// lastClientLeaves returns a Broadcaster once its client left, and Run
// took the value sent then, 7, with no client to have it; or, if it
// looked for room again first, waits for a client with 7 still offered.
// Nothing wakes Run once it waits for a value, but it may be about to
// look again when the test sees it so.
func lastClientLeaves(t *testing.T) *alone {
	servers, dialers := clients[int](t, nil, nil, nil)
	a := &alone{send: make(chan int), log: &undeliveredLog{}, taken: make(chan struct{}),
		next: servers[1], nextDialer: dialers[1]}
	a.b = endpoint.NewBroadcaster[int](a.send, codec.CBOR(), time.Hour, a.log.add)
	ctx, cancel := context.WithCancelCause(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		a.b.Run(ctx)
	}()
	a.stop = sync.OnceFunc(func() {
		cancel(errListenerEnded)
		<-ran
	})
	t.Cleanup(a.stop)
	f := a.b.Add(servers[0], 1)
	testkit.Eventually(t, "Run to find room for the client and wait for a value", func() bool { return endpoint.AwaitsValue(a.b) })
	_ = dialers[0].Close()
	select {
	case <-servers[0].Done():
	case <-time.After(testkit.Patience):
		t.Fatalf("the listener's end of a closed connection did not end within %v", testkit.Patience)
	}
	quit, quitted := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(quitted)
		select {
		case a.send <- 7:
			close(a.taken)
		case <-quit:
		}
	}()
	t.Cleanup(func() {
		close(quit)
		<-quitted
	})
	testkit.Eventually(t, "Run to wait for a client", func() bool { return endpoint.AwaitsRoom(a.b) })
	f.Stop()
	return a
}

// A value Run takes as the last client leaves, which no client can have,
// goes to the next client to connect, first, as though its send had
// waited for it: nothing is lost, nor reordered.
func TestBroadcastValueTakenAsTheLastClientLeavesGoesToTheNext(t *testing.T) {
	a := lastClientLeaves(t)
	ctx := ctxFor(t)
	f := a.b.Add(a.next, 1)
	sent := make(chan error, 1)
	go func() { sent <- a.next.SendFeed(ctx, f) }()
	select {
	case <-a.taken:
	case <-time.After(testkit.Patience):
		t.Fatalf("a send waited %v with a client connected", testkit.Patience)
	}
	testkit.Send(t, a.send, 8)
	for _, want := range []int{7, 8} {
		v, err := a.nextDialer.Recv(ctx)
		if err != nil {
			t.Fatalf("the next client's receive: %v; want %d", err, want)
		}
		if v != want {
			t.Fatalf("the next client received %d; want %d, the value taken as the last client left, then 8", v, want)
		}
	}
	close(a.send)
	if err := <-sent; err != nil {
		t.Fatalf("SendFeed after the close: %v", err)
	}
	a.stop()
	if vs, _ := a.log.all(); len(vs) > 0 {
		t.Fatalf("reported undelivered %v; want none", vs)
	}
}

// A value Run takes as the last client leaves is reported undelivered if
// the listener ends before a client comes for it, with the listener's
// cause.
func TestBroadcastValueTakenAsTheLastClientLeavesIsReportedAtTheEnd(t *testing.T) {
	a := lastClientLeaves(t)
	a.stop()
	vs, causes := a.log.all()
	select {
	case <-a.taken:
	default:
		if len(vs) > 0 {
			t.Fatalf("reported undelivered %v, though Run took nothing", vs)
		}
		return // the send still waits: the program has its value
	}
	if len(vs) != 1 || vs[0] != 7 {
		t.Fatalf("reported undelivered %v; want the value taken as the last client left, 7", vs)
	}
	if !errors.Is(causes[0], errListenerEnded) {
		t.Fatalf("reported with cause %v; want %v", causes[0], errListenerEnded)
	}
}
