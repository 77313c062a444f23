package netchan_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// The values a client's lane holds when its connection fails are reported
// as undelivered, in order, beside the failure, which counts those that
// were sent: none is dropped silently.
func TestFailedClientReportsItsLane(t *testing.T) {
	const capacity = 64 // a lane of 16 values; 48 may be outstanding
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
	dcancel() // the client vanishes without receiving anything
	const outstanding = capacity - capacity/4
	testkit.Eventually(t, "the lane's last value to be reported undelivered", log.undelivered(capacity-1))
	var got []int
	var failure error
	for _, err := range log.all() {
		var u *netchan.UndeliveredError[int]
		if errors.As(err, &u) {
			got = append(got, u.Value)
		} else if failure == nil {
			failure = err
		}
	}
	for i, v := range got {
		if v != outstanding+i {
			t.Fatalf("undelivered values %v; want %d to %d in order", got, outstanding, capacity-1)
		}
	}
	if len(got) != capacity-outstanding {
		t.Fatalf("undelivered values %v; want %d to %d", got, outstanding, capacity-1)
	}
	if failure == nil || !strings.Contains(failure.Error(), fmt.Sprintf("up to %d values", outstanding)) {
		t.Fatalf("failure %v; want one that counts the %d values sent", failure, outstanding)
	}
}
