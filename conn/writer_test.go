package conn

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// readKind reads one frame from r and returns its kind.
func readKind(t *testing.T, r io.Reader) wire.Kind {
	t.Helper()
	var hdr [wire.HeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	h, err := wire.ParseHeader(hdr[:])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(io.Discard, r, int64(h.Length)); err != nil {
		t.Fatalf("reading a %s payload: %v", h.Kind, err)
	}
	return h.Kind
}

// tcpPair returns both ends of a loopback TCP connection; the test's
// cleanup closes them.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln := testkit.Loopback(t)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	server = <-accepted
	if server == nil {
		t.FailNow()
	}
	t.Cleanup(func() { _ = server.Close() })
	return client, server
}

// A close after a quiet spell longer than the stall bound must still write
// its goaway: the stall deadline of the last write has passed by then.
func TestGoAwayWrittenAfterStallDeadlinePassed(t *testing.T) {
	// TCP rather than a pipe: a write completes into the socket buffer
	// whether or not this goroutine reads at once, so that only the stall
	// bound, not a loaded machine, decides whether it fails.
	a, b := tcpPair(t)
	_ = b.SetReadDeadline(time.Now().Add(testkit.Patience))
	const stall = 100 * time.Millisecond
	w := newWriter(a, stall)
	done := make(chan error, 1)
	go func() { done <- w.run() }()

	w.grant(MainStream, 1, false) // one write, under a deadline stall ahead
	if k := readKind(t, b); k != wire.KindCredit {
		t.Fatalf("got a %s frame, want credit", k)
	}
	time.Sleep(2 * stall) // the stall deadline is now in the past
	w.goAway(wire.GoAway{Code: wire.CodeNormal, Reason: "closed"})
	if k := readKind(t, b); k != wire.KindGoAway {
		t.Fatalf("got a %s frame, want goaway", k)
	}
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
}

// A sender waits while more than maxQueued bytes wait for the writer, and
// goes on once the writer took them; a close frees it too.
func TestDataWaitsForQueueRoom(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	w := newWriter(a, 0) // no writer goroutine yet: the queue only grows
	big := make([]byte, maxQueued)
	if !w.data(MainStream, 0, 1, func(int) []byte { return big }) {
		t.Fatal("first value refused")
	}
	queued := make(chan bool, 1)
	go func() { queued <- w.data(MainStream, 1, 1, func(int) []byte { return []byte("small") }) }()
	select {
	case <-queued:
		t.Fatalf("a value was queued behind %d bytes the writer had not taken", maxQueued)
	case <-time.After(testkit.Settle):
	}
	done := make(chan error, 1)
	go func() { done <- w.run() }()
	go func() { _, _ = io.Copy(io.Discard, b) }()
	select {
	case ok := <-queued:
		if !ok {
			t.Fatal("the waiting value was refused once the writer took the queue")
		}
	case <-time.After(testkit.Patience):
		t.Fatal("the waiting value stayed waiting after the writer took the queue")
	}

	// Fill the queue again behind a writer that cannot write, then close.
	c, d := net.Pipe()
	defer c.Close()
	defer d.Close()
	w2 := newWriter(c, 0)
	w2.data(MainStream, 0, 1, func(int) []byte { return big })
	refused := make(chan bool, 1)
	go func() { refused <- w2.data(MainStream, 1, 1, func(int) []byte { return []byte("small") }) }()
	w2.goAway(wire.GoAway{Code: wire.CodeNormal, Reason: "closed"})
	select {
	case ok := <-refused:
		if ok {
			t.Fatal("a value was queued after the final frame")
		}
	case <-time.After(testkit.Patience):
		t.Fatal("a waiting sender stayed waiting after the writer closed")
	}
	w.goAway(wire.GoAway{Code: wire.CodeNormal, Reason: "closed"})
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
}

// A large queue buffer survives light batches for a while, so traffic
// that alternates large and small batches keeps it, and is given up once
// traffic stays light.
func TestLargeBufferKeptThenGivenUp(t *testing.T) {
	w := newWriter(nil, 0)
	// done ends one batch as the writer does, with the trim timer, which
	// is another test's matter, kept from firing.
	done := func(batch []byte) (kept bool) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.spare = nil
		w.doneLocked(batch, nil)
		if w.trim != nil {
			w.trim.Stop()
		}
		return w.spare != nil
	}
	large := make([]byte, keepBuffer/4, 4*keepBuffer)
	done(large)
	for i := range leanBatches - 1 {
		if !done(large[:10]) {
			t.Fatalf("large buffer given up after %d light batches", i+1)
		}
	}
	if done(large[:10]) {
		t.Fatalf("large buffer kept after %d light batches", leanBatches)
	}
	if !done(make([]byte, 10, keepBuffer)) {
		t.Fatal("a buffer of keepBuffer was given up")
	}
}

// A connection quiet for trimAfter gives up its queue buffers.
func TestQuietWriterGivesUpBuffers(t *testing.T) {
	w := newWriter(nil, 0)
	w.mu.Lock()
	w.doneLocked(make([]byte, keepBuffer/4, keepBuffer), nil)
	kept := w.spare != nil
	w.mu.Unlock()
	if !kept {
		t.Fatal("the batch's buffer was not kept for the next one")
	}
	testkit.Eventually(t, "the quiet writer's buffer to be given up", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.spare == nil && w.queue == nil
	})
}
