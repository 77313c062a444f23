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

// A close after a quiet spell longer than the stall bound must still write
// its goaway: the stall deadline of the last write has passed by then.
func TestGoAwayWrittenAfterStallDeadlinePassed(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	_ = b.SetReadDeadline(time.Now().Add(testkit.Patience))
	w := newWriter(a, time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- w.run() }()

	w.grant(MainStream, 1) // one write, under a deadline 1ms ahead
	if k := readKind(t, b); k != wire.KindCredit {
		t.Fatalf("got a %s frame, want credit", k)
	}
	time.Sleep(10 * time.Millisecond) // the stall deadline is now in the past
	w.goAway(wire.GoAway{Code: wire.CodeNormal, Reason: "closed"})
	if k := readKind(t, b); k != wire.KindGoAway {
		t.Fatalf("got a %s frame, want goaway", k)
	}
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
}
