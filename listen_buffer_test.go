package netchan_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// Before any client connects, a listener's send channel takes what its
// buffer holds, as a Go channel does before any goroutine receives from
// it, and the next send waits; the first client gets those values first.
func TestListenBuffersForTheFirstClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ln := testkit.Loopback(t)
	send, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(8))
	if err != nil {
		t.Fatal(err)
	}
	if cap(send) != 2 {
		t.Fatalf("send buffers %d values with capacity 8, want 2", cap(send))
	}
	testkit.Send(t, send, 0)
	testkit.Send(t, send, 1)
	if !testkit.Blocks(send, -1) {
		t.Fatal("a third send completed with no client and a buffer of 2")
	}
	_, recv, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(8))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Send(t, send, 2)
	for i := range 3 {
		if v, _ := testkit.Recv(t, recv); v != i {
			t.Fatalf("the client got %d, want %d", v, i)
		}
	}
}

// Values a listener's buffer still holds when its ctx ends, with no client
// to take them, are reported as undelivered, not dropped in silence.
func TestListenReportsBufferedValuesOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	errs := &errorLog{}
	send, recv, err := netchan.Listen[int](ctx, "", netchan.WithListener(testkit.Loopback(t)), netchan.Insecure(), netchan.OnError(errs.add))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Send(t, send, 1)
	testkit.Send(t, send, 2)
	cancel()
	if _, ok := testkit.Recv(t, recv); ok {
		t.Fatal("the receive channel got a value with no client")
	}
	// recv closes once the listener stopped, after the report.
	for _, v := range []int{1, 2} {
		if !errs.undelivered(v)() {
			t.Fatalf("value %d was not reported as undelivered; errors: %v", v, errs.all())
		}
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
	for v := range 2*cap(send) + 1 {
		testkit.Send(t, send, v)
		testkit.Eventually(t, fmt.Sprintf("value %d to be reported", v), errs.undelivered(v))
	}
}
