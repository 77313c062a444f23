package conn

import (
	"errors"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// A session opens at most as many streams as its peer allows at once:
// Open fails with ErrLimit beyond it, and a stream retired at both ends
// frees a permit.
func TestOpenLimit(t *testing.T) {
	lcfg := testConfig()
	lcfg.MaxStreams = 2
	p := connect(t, lcfg, testConfig(), nil)
	ctx := patience(t)
	var opened []*Stream
	for range 2 {
		st, err := p.d.Open(1, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		opened = append(opened, st)
	}
	if _, err := p.d.Open(1, nil, nil); !errors.Is(err, ErrLimit) {
		t.Fatalf("a third Open: %v, want ErrLimit", err)
	}
	// The listener may still open its own: the limits are per end.
	if _, err := p.a.Open(1, nil, nil); err != nil {
		t.Fatalf("the listener's Open: %v", err)
	}
	// Retire the first: both ends close and take everything.
	peer, err := p.a.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := exchange(ctx, opened[0], peer, 3); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "a permit back", func() bool {
		st, err := p.d.Open(1, nil, nil)
		if err == nil {
			opened = append(opened, st)
		}
		return err == nil
	})
	if opened[2].ID() != 7 {
		t.Errorf("the stream opened after the retirement has id %d", opened[2].ID())
	}
	if _, err := p.d.Open(1, nil, nil); !errors.Is(err, ErrLimit) {
		t.Fatalf("Open beyond the limit again: %v, want ErrLimit", err)
	}
}

// A stream is forgotten at both ends once both sides closed and each
// end's program took everything, and not before; the main stream never
// is.
func TestStreamRetires(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	st, err := p.d.Open(2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	peer, err := p.a.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// One side closed and done: both ends still hold the stream.
	if err := sendInts(ctx, st, 0, 2); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := recvInts(ctx, peer, 0, 2); err != nil {
		t.Fatal(err)
	}
	if err := recvEOF(ctx, peer); err != nil {
		t.Fatal(err)
	}
	peer.TookClose()
	testkit.Eventually(t, "the credits back", func() bool { return st.Unacknowledged() == 0 })
	if !holds(p.d, st.ID()) || !holds(p.a, st.ID()) {
		t.Fatal("a stream open one way was forgotten")
	}
	// The other side too.
	if err := sendInts(ctx, peer, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := peer.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := recvInts(ctx, st, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := recvEOF(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.TookClose()
	testkit.Eventually(t, "both ends to forget the stream", func() bool { return !holds(p.d, st.ID()) && !holds(p.a, st.ID()) })
	// The main stream, closed and done both ways, stays.
	if err := exchange(ctx, p.d.Main(), p.a.Main(), 1); err != nil {
		t.Fatal(err)
	}
	if !holds(p.d, MainStream) || !holds(p.a, MainStream) {
		t.Fatal("the main stream was forgotten")
	}
}

// holds reports whether s knows the stream id.
func holds(s *Session, id uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.streams[id] != nil
}

// A session that retires a stream its peer opened tells the peer, with a
// streams frame of one, that it may open another.
func TestRetiredStreamGivesAPermit(t *testing.T) {
	s, p, _ := rawDialer(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	p.write(openFrame(3, 1, ""), dataFrame(3, 0, "v"), countFrame(wire.KindClose, 3, 1))
	st, err := s.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m.Release()
	st.Take()
	if err := recvEOF(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.TookClose()
	if err := st.CloseSend(); err != nil {
		t.Fatal(err)
	}
	// The credit, the close and the streams frame come in any order: the
	// credit may follow the retirement, since the session owes it still.
	counts := map[wire.Kind]uint64{}
	for len(counts) < 3 {
		f := p.read()
		n, err := wire.ParseCount(f.Payload, f.Kind)
		want := map[wire.Kind]uint32{wire.KindCredit: 3, wire.KindClose: 3, wire.KindStreams: 0}
		switch stream, ok := want[f.Kind]; {
		case f.Kind == wire.KindAck || f.Kind == wire.KindPing:
			continue
		case !ok || err != nil || f.Stream != stream:
			t.Fatalf("a %s frame on stream %d (%v)", f.Kind, f.Stream, err)
		case counts[f.Kind] != 0:
			t.Fatalf("a second %s frame", f.Kind)
		}
		counts[f.Kind] = n + 1
	}
	if counts[wire.KindCredit] != 2 || counts[wire.KindClose] != 1 || counts[wire.KindStreams] != 2 {
		t.Fatalf("credit %d, close %d, streams %d; want 1, 0 and 1", int(counts[wire.KindCredit])-1,
			int(counts[wire.KindClose])-1, int(counts[wire.KindStreams])-1)
	}
	if holds(s, 3) {
		t.Fatal("the session holds the retired stream")
	}
	// A frame for it is now a protocol error.
	bye := p.drain()
	p.write(dataFrame(3, 1, "late"))
	wantErr(t, "a frame for a retired stream", ended(t, s), ErrProtocol)
	<-bye
}

// A stream may have the larger of MaxOpenCapacity and the capacity the
// end it goes to offered, whatever the capacity of the main stream: Open
// refuses a larger one.
func TestStreamCapacityLimit(t *testing.T) {
	for _, offered := range []int{0, 2, 2 * MaxOpenCapacity} {
		lcfg := testConfig()
		lcfg.Capacity = offered
		p := connect(t, lcfg, testConfig(), nil)
		limit := p.d.PeerMaxStreamCapacity()
		if want := max(offered, MaxOpenCapacity); limit != want {
			t.Fatalf("toward a capacity of %d: limit %d, want %d", offered, limit, want)
		}
		if _, err := p.d.Open(limit+1, nil, nil); !errors.Is(err, ErrLimit) {
			t.Fatalf("Open above the limit: %v, want ErrLimit", err)
		}
		if _, err := p.d.Open(limit, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}
