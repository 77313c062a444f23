package conn

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"

	"golang.org/x/sync/errgroup"
)

// exchange sends n numbers each way on a and b, the two ends of one
// stream, closes both sides, and checks that each end received them in
// order, then the close, which it takes.
func exchange(ctx context.Context, a, b *Stream, n int) error {
	return exchangeValues(ctx, a, b, n, func(i int) []byte { return []byte(strconv.Itoa(i)) })
}

// exchangeValues is exchange with the values value(0) to value(n-1).
func exchangeValues(ctx context.Context, a, b *Stream, n int, value func(i int) []byte) error {
	var g errgroup.Group
	g.Go(func() error { return flow(ctx, a, b, n, value) })
	g.Go(func() error { return flow(ctx, b, a, n, value) })
	return g.Wait()
}

// flow sends value(0) to value(n-1) from one end of a stream, then its
// close, and checks that the other end receives them once and in order,
// then the close, which it takes.
func flow(ctx context.Context, from, to *Stream, n int, value func(i int) []byte) error {
	var g errgroup.Group
	g.Go(func() error {
		for i := range n {
			if err := from.Reserve(ctx); err != nil {
				return fmt.Errorf("stream %d: reserve %d: %w", from.ID(), i, err)
			}
			if _, err := from.Send(value(i)); err != nil {
				return fmt.Errorf("stream %d: send %d: %w", from.ID(), i, err)
			}
		}
		return from.CloseSend()
	})
	g.Go(func() error { return recvValues(ctx, to, n, value) })
	return g.Wait()
}

// recvValues receives value(0) to value(n-1) on st, once each and in
// order, then the close.
func recvValues(ctx context.Context, st *Stream, n int, value func(i int) []byte) error {
	for i := range n {
		m, err := st.Next(ctx)
		if err != nil {
			return fmt.Errorf("stream %d: value %d: %w", st.ID(), i, err)
		}
		if !bytes.Equal(m.Value, value(i)) {
			return fmt.Errorf("stream %d: value %d arrived as %.20q", st.ID(), i, m.Value)
		}
		m.Release()
		st.Take()
	}
	if err := recvEOF(ctx, st); err != nil {
		return fmt.Errorf("stream %d: %w", st.ID(), err)
	}
	st.TookClose()
	return nil
}

// Streams opened at either end reach the other's Accept with their id,
// capacity and meta, and carry values both ways, each in its own order
// and with its own close, while the main stream goes on.
func TestStreamsOpenAccept(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	var g errgroup.Group
	for i, ends := range [][2]*Session{{p.d, p.a}, {p.a, p.d}, {p.d, p.a}} {
		opener, acceptor := ends[0], ends[1]
		meta := fmt.Sprintf("stream %d", i)
		st, err := opener.Open(2, []byte(meta), nil)
		if err != nil {
			t.Fatal(err)
		}
		peer, err := acceptor.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if peer.ID() != st.ID() || string(peer.Meta()) != meta || peer.Capacity() != 2 || peer.Session() != acceptor {
			t.Fatalf("opened %d (%q), accepted %d (%q) of capacity %d", st.ID(), meta, peer.ID(), peer.Meta(), peer.Capacity())
		}
		g.Go(func() error { return exchange(ctx, st, peer, 50+10*i) })
	}
	if p.d.Main().ID() != MainStream || p.a.Main().ID() != MainStream {
		t.Fatal("main stream's id")
	}
	g.Go(func() error { return exchange(ctx, p.d.Main(), p.a.Main(), 40) })
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// Ids count up by two from each end's first: odd for the dialer's streams,
// even for the listener's.
func TestStreamIDs(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	for i, want := range []uint32{3, 5, 7} {
		st, err := p.d.Open(1, nil, nil)
		if err != nil || st.ID() != want {
			t.Fatalf("dialer's stream %d: id %d, %v; want %d", i, st.ID(), err, want)
		}
	}
	for i, want := range []uint32{2, 4} {
		st, err := p.a.Open(1, nil, nil)
		if err != nil || st.ID() != want {
			t.Fatalf("listener's stream %d: id %d, %v; want %d", i, st.ID(), err, want)
		}
	}
}

// A stream reaches the peer as soon as it is opened, before any value: a
// stream on which the opener waits for the peer to speak first must not
// wait for ever.
func TestOpenReachesThePeerAtOnce(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	st, err := p.d.Open(1, []byte("request"), nil)
	if err != nil {
		t.Fatal(err)
	}
	peer, err := p.a.Accept(ctx)
	if err != nil {
		t.Fatalf("Accept of a stream opened and not used: %v", err)
	}
	if err := sendInts(ctx, peer, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := recvInts(ctx, st, 0, 1); err != nil {
		t.Fatal(err)
	}
}

// Open refuses a capacity or meta out of range, and any stream once the
// session ended.
func TestOpenRefuses(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	for _, tc := range []struct {
		capacity int
		meta     int
	}{{-1, 0}, {1 << 21, 0}, {1, 513}} {
		if _, err := p.d.Open(tc.capacity, make([]byte, tc.meta), nil); err == nil {
			t.Errorf("Open(%d, %d bytes of meta) succeeded", tc.capacity, tc.meta)
		}
	}
	_ = p.d.Close()
	if _, err := p.d.Open(1, nil, nil); err != ErrClosed {
		t.Errorf("Open after Close: %v", err)
	}
}
