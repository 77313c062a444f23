package netchan_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A listener's send channel has no buffer: with no client, no send
// completes, since k clients of capacity n take exactly k*n sends; the
// first client to come gets the value that waited.
func TestListenSendWaitsForAClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ln := testkit.Loopback(t)
	send, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(8))
	if err != nil {
		t.Fatal(err)
	}
	if cap(send) != 0 {
		t.Fatalf("send buffers %d values", cap(send))
	}
	if !testkit.Blocks(send, 0) {
		t.Fatal("a send completed with no client connected")
	}
	_, recv, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(8))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Send(t, send, 1)
	if v, _ := testkit.Recv(t, recv); v != 1 {
		t.Fatalf("the client got %d, want 1", v)
	}
}

// A listener that fails, here because the net.Listener it was given was
// closed, reports what the program sends from then on: no client will
// come to take it.
func TestListenReportsValuesAfterItFailed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	errs := &errorLog{}
	ln := testkit.Loopback(t)
	send, recv, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.OnError(errs.add))
	if err != nil {
		t.Fatal(err)
	}
	_ = ln.Close()
	if _, ok := testkit.Recv(t, recv); ok {
		t.Fatal("the receive channel got a value with no client")
	}
	for v := range 3 {
		testkit.Send(t, send, v)
		testkit.Eventually(t, fmt.Sprintf("value %d to be reported", v), errs.undelivered(v))
	}
}
