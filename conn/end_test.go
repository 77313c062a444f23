package conn

import (
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// A Close whose last frames the peer acknowledged is flushed; the peer's
// end, by that goodbye, is not. AfterDone runs before Close returns, once,
// and at once for a session that has ended.
func TestFlushedAfterCleanClose(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	if err := sendInts(ctx, p.d.Main(), 0, 2); err != nil {
		t.Fatal(err)
	}
	dialer, listener := make(chan struct{}, 2), make(chan struct{}, 2)
	p.d.AfterDone(func() { dialer <- struct{}{} })
	p.a.AfterDone(func() { listener <- struct{}{} })
	if p.d.Flushed() {
		t.Fatal("Flushed while the session is open")
	}
	_ = p.d.Close()
	if len(dialer) != 1 {
		t.Fatal("Close returned before AfterDone ran")
	}
	if !p.d.Flushed() {
		t.Fatal("a Close whose frames the peer acknowledged is not flushed")
	}
	<-p.a.Done()
	if len(listener) != 1 {
		t.Fatal("Done closed before AfterDone ran")
	}
	if p.a.Flushed() {
		t.Fatal("the end the peer's goodbye ended is flushed")
	}
	p.a.AfterDone(func() { listener <- struct{}{} })
	if len(listener) != 2 || len(dialer) != 1 {
		t.Fatalf("AfterDone ran %d and %d times; want 2, the late one at once, and 1", len(listener), len(dialer))
	}
	// The values are still there for the listener's program.
	if err := recvInts(ctx, p.a.Main(), 0, 2); err != nil {
		t.Fatal(err)
	}
}

// A Close whose last frames never reached the peer is not flushed.
func TestNotFlushedWhenTheLastFramesAreLost(t *testing.T) {
	var proxy *testkit.Proxy
	p := connect(t, testConfig(), testConfig(), func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	proxy.Stall(true)
	if err := sendInts(patience(t), p.d.Main(), 0, 1); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		_ = p.d.Close()
		close(closed)
	}()
	proxy.Reset() // the value, and the goodbye, are lost
	testkit.Recv(t, closed)
	if p.d.Flushed() {
		t.Fatal("a Close whose value never arrived is flushed")
	}
}

// Close sends the credits owed for every value the program took, even
// those the creditor would have kept for a larger group, before its
// goodbye: the peer then knows exactly what was taken.
func TestCloseFlushesCredits(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 64 // credits go in groups of 16
	p := connect(t, cfg, cfg, nil)
	ctx := patience(t)
	if err := sendInts(ctx, p.d.Main(), 0, 10); err != nil {
		t.Fatal(err)
	}
	if err := recvInts(ctx, p.a.Main(), 0, 3); err != nil {
		t.Fatal(err)
	}
	_ = p.a.Close()
	<-p.d.Done()
	if got := p.d.Main().Acknowledged(); got != 3 {
		t.Fatalf("the dialer knows of %d values taken; want 3", got)
	}
}
