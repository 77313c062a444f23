package netchan_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A value refused for one client gives its room back at once: the next
// value does not wait for the stall timeout. A Sync client's window holds
// one value, so the Broadcaster needs the room of the value refused before
// it can take the next.
func TestBroadcastRefusedValueGivesItsRoomBack(t *testing.T) {
	const values = 1000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	errs := &errorLog{}
	send, hellos, err := netchan.Listen[string](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Broadcast(),
		netchan.WithStallTimeout(netchan.MaxResumeWindow), netchan.OnError(errs.add))
	if err != nil {
		t.Fatal(err)
	}
	s, r, err := netchan.Dial[string](ctx, ln.Addr().String(), netchan.Insecure(), netchan.Sync(),
		netchan.WithMaxMessageSize(64), netchan.OnError(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Send(t, s, "hello")
	close(s)
	testkit.Recv(t, hellos)
	large := strings.Repeat("x", 100)
	deadline := time.After(testkit.Patience)
	for i := range values {
		select {
		case send <- large:
		case <-deadline:
			t.Fatalf("send %d of %d values too large for the client waited %v", i+1, values, testkit.Patience)
		}
	}
	testkit.Send(t, send, "end")
	if v, ok := testkit.Recv(t, r); !ok || v != "end" {
		t.Fatalf("the client received %q, %v; want end", v, ok)
	}
	if n := len(errs.all()); n != values {
		t.Errorf("%d errors reported; want %d values undelivered", n, values)
	}
}
