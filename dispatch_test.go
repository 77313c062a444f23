package netchan_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// With several clients, each sending from a lane of the listener's
// Dispatcher, a listener send completes exactly while some client has
// room: k clients of capacity n take k*n sends, the next waits, and a
// receive by any one client lets exactly one more complete.
func TestListenerCapacityIsExactWithLanes(t *testing.T) {
	const clients, capacity = 3, 12 // a lane of 3 values each
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	ls, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(capacity))
	if err != nil {
		t.Fatal(err)
	}
	var recvs []<-chan int
	for range clients {
		_, dr, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(capacity))
		if err != nil {
			t.Fatal(err)
		}
		recvs = append(recvs, dr)
	}
	want := clients * capacity
	var done atomic.Int64
	go func() {
		for i := range want + 2 {
			select {
			case ls <- i:
				done.Add(1)
			case <-ctx.Done():
				return
			}
		}
	}()
	testkit.Eventually(t, fmt.Sprintf("%d listener sends to complete", want), func() bool { return done.Load() >= int64(want) })
	// A send beyond the clients' capacity may only complete once one of
	// them receives; had there been more room, it would have completed as
	// fast as the sends before it.
	time.Sleep(testkit.Settle)
	if n := done.Load(); n != int64(want) {
		t.Fatalf("%d listener sends completed while the clients received nothing; capacity is %d", n, want)
	}
	if _, ok := testkit.Recv(t, recvs[1]); !ok {
		t.Fatal("client 1's channel closed")
	}
	testkit.Eventually(t, "one more send to complete after one receive", func() bool { return done.Load() == int64(want)+1 })
	time.Sleep(testkit.Settle)
	if n := done.Load(); n != int64(want)+1 {
		t.Fatalf("%d listener sends completed after one receive; want %d", n, want+1)
	}
}

// A client that leaves gives back what it had not received: the values
// its program had not taken and those waiting for it go, in order, to the
// next client, none lost and none twice.
func TestDepartingClientsValuesGoToTheNext(t *testing.T) {
	const capacity = 64 // a lane of 16 values
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	log := &errorLog{}
	ls, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(capacity), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithCancel(ctx)
	defer dcancel()
	if _, _, err := netchan.Dial[int](dctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(capacity)); err != nil {
		t.Fatal(err)
	}
	for i := range capacity {
		testkit.Send(t, ls, i)
	}
	dcancel() // the client leaves without receiving anything
	_, next, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(capacity))
	if err != nil {
		t.Fatal(err)
	}
	for want := range capacity {
		if v, _ := testkit.Recv(t, next); v != want {
			t.Fatalf("the next client got %d; want %d", v, want)
		}
	}
	if errs := log.all(); len(errs) > 1 {
		t.Fatalf("the listener reported %v; want at most the first client's leaving", errs)
	}
}

// Values given back with no client to take them wait for one; when the
// listener ends first, each is reported undelivered, in order.
func TestGivenBackReportedWhenTheListenerEnds(t *testing.T) {
	const capacity = 8
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	log := &errorLog{}
	done, left := make(chan error, 1), make(chan error, 1)
	ls, lr, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(capacity), netchan.OnError(log.add),
		netchan.OnDone(func(err error) { left <- err }))
	if err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithCancel(ctx)
	defer dcancel()
	if _, _, err := netchan.Dial[int](dctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(capacity), netchan.OnDone(func(err error) { done <- err })); err != nil {
		t.Fatal(err)
	}
	for i := range capacity {
		testkit.Send(t, ls, i)
	}
	dcancel()
	if err, _ := testkit.Recv(t, done); err != nil {
		t.Fatalf("the client's OnDone: %v; want nil", err)
	}
	// The listener has given back the client's values once it is done
	// with the client; only then may it end.
	testkit.Recv(t, left)
	cancel()
	for { // lr closes once the listener has stopped
		if _, ok := testkit.Recv(t, lr); !ok {
			break
		}
	}
	var got []int
	for _, err := range log.all() {
		var u *netchan.UndeliveredError[int]
		if errors.As(err, &u) {
			got = append(got, u.Value)
		}
	}
	if len(got) != capacity {
		t.Fatalf("undelivered %v; want 0 to %d", got, capacity-1)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("undelivered %v; want 0 to %d in order", got, capacity-1)
		}
	}
}

// A value a rendezvous client cannot encode is reported, and frees the
// room it was given: the next value still goes.
func TestUnencodableValueFreesItsRoom(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	log := &errorLog{}
	ls, _, err := netchan.Listen[any](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Sync(), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	_, dr, err := netchan.Dial[any](ctx, ln.Addr().String(), netchan.Insecure(), netchan.Sync())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first may find Run woken for another reason
		testkit.Send[any](t, ls, func() {})
	}
	testkit.Send[any](t, ls, "next")
	if v, _ := testkit.Recv(t, dr); v != "next" {
		t.Fatalf("client got %v; want the value after the one that could not be encoded", v)
	}
	testkit.Eventually(t, "the value to be reported", func() bool {
		for _, err := range log.all() {
			if errors.Is(err, netchan.ErrEncode) {
				return true
			}
		}
		return false
	})
}
