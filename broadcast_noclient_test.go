package netchan_test

import (
	"context"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A value the program sends while no client is connected, taken as the
// listener's context ends, is reported undelivered, as without Broadcast:
// no client has it.
func TestBroadcastValueTakenAtTheEndWithNoClientIsReported(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	errs := &errorLog{}
	send, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Broadcast(), netchan.OnError(errs.add))
	if err != nil {
		t.Fatal(err)
	}
	sent, stop := make(chan struct{}), make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case send <- 7:
			close(sent)
		case <-stop:
		}
	}()
	select {
	case <-sent:
		t.Fatal("a send completed with no client connected")
	case <-time.After(testkit.Settle):
	}
	cancel()
	select {
	case <-sent:
	case <-time.After(testkit.Patience):
		return // the listener left the send waiting: nothing taken, nothing to report
	}
	testkit.Eventually(t, "the value taken with no client reported undelivered", errs.undelivered(7))
}
