package conn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// The counts of values and bytes agree with what was sent, at both ends:
// what one end sent is, once it all arrived, what the other received.
func TestStatsCountValuesAndBytes(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	const n = 10
	done := make(chan error, 1)
	go func() { done <- recvInts(ctx, p.a.Main(), 0, n) }()
	if err := sendInts(ctx, p.d.Main(), 0, n); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := p.d.Main().Stats().Sent; got != n {
		t.Errorf("dialer sent %d values, want %d", got, n)
	}
	if st := p.a.Main().Stats(); st.Arrived != n || st.Taken != n || st.Sent != 0 {
		t.Errorf("listener: %+v; want %d arrived and taken, none sent", st, n)
	}
	testkit.Eventually(t, "the credits back at the dialer", func() bool { return p.d.Main().Stats().Outstanding == 0 })
	testkit.Eventually(t, "each end's bytes sent to arrive at the other", func() bool {
		d, a := p.d.Stats(), p.a.Stats()
		return d.BytesSent == a.BytesReceived && a.BytesSent == d.BytesReceived
	})
	// Ten data frames of one or two digits, at least: header, sequence
	// number and value; the listener sent credits.
	if d, a := p.d.Stats(), p.a.Stats(); d.BytesSent < n*(wire.HeaderSize+2) || a.BytesSent == 0 {
		t.Errorf("dialer sent %d bytes, listener %d; want at least %d and some", d.BytesSent, a.BytesSent, n*(wire.HeaderSize+2))
	}
}

// A send that finds room in the window adds nothing to CreditWait; one
// that waits adds the time it waited, no more.
func TestStatsCreditWait(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil) // capacity 2
	st := p.d.Main()
	if err := sendInts(patience(t), st, 0, 2); err != nil {
		t.Fatal(err)
	}
	if w := st.Stats().CreditWait; w != 0 {
		t.Fatalf("CreditWait %v after sends that had room; want 0", w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Settle)
	defer cancel()
	start := time.Now()
	err := st.Reserve(ctx)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Reserve with the window full and no one receiving: %v", err)
	}
	if w := st.Stats().CreditWait; w <= 0 || w > took {
		t.Fatalf("CreditWait %v after a Reserve that waited %v; want more than 0, at most that", w, took)
	}
}

// The round trip measured crosses the network both ways: through a proxy
// that delays each direction by d, it is at least 2d, at both ends.
func TestStatsRTT(t *testing.T) {
	const d = 20 * time.Millisecond
	p := connect(t, testConfig(), testConfig(), func(addr string) string {
		proxy := testkit.NewProxy(t, addr)
		proxy.SetDelay(d)
		return proxy.Addr()
	})
	if rtt := p.d.Stats().RTT; rtt != 0 {
		t.Fatalf("RTT %v before any frame was acknowledged; want 0", rtt)
	}
	ctx := patience(t)
	for _, s := range []*Session{p.d, p.a} {
		peer := p.a
		if s == p.a {
			peer = p.d
		}
		done := make(chan error, 1)
		go func() { done <- recvInts(ctx, peer.Main(), 0, 3) }()
		if err := sendInts(ctx, s.Main(), 0, 3); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*Session{p.d, p.a} {
		testkit.Eventually(t, "a round trip measured", func() bool { return s.Stats().RTT > 0 })
		if rtt := s.Stats().RTT; rtt < 2*d {
			t.Errorf("RTT %v through a proxy that delays each way by %v", rtt, d)
		}
	}
}

// A probe times the first batch written while none is out, and after a
// sample one in probeEvery, until an ack covers it; a broken connection
// drops it.
func TestRTTProbe(t *testing.T) {
	var p rttProbe
	p.written(100)
	first := p.sent
	p.written(200) // one probe at a time
	if p.until != 100 || !p.sent.Equal(first) {
		t.Fatalf("a second batch moved the probe out to %d", p.until)
	}
	p.acked(99)
	if p.last != 0 {
		t.Fatalf("an ack short of the probe gave a sample of %v", p.last)
	}
	p.acked(150)
	if p.last <= 0 || p.until != 0 {
		t.Fatalf("an ack past the probe: sample %v, probe out to %d", p.last, p.until)
	}
	last := p.last
	for i := range probeEvery - 1 {
		p.written(uint64(200 + i))
		if p.until != 0 {
			t.Fatalf("a probe out after %d batches since a sample; want one every %d", i+1, probeEvery)
		}
	}
	p.written(300)
	if p.until != 300 {
		t.Fatalf("no probe out %d batches after a sample", probeEvery)
	}
	p.reset()
	p.acked(300)
	if p.last != last {
		t.Fatalf("a probe dropped by a reset gave a sample of %v", p.last)
	}
}

// Resumes counts the connections the session resumed on.
func TestStatsResumes(t *testing.T) {
	var proxy *testkit.Proxy
	p := connect(t, testConfig(), testConfig(), func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	ctx := patience(t)
	proxy.Reset()
	done := make(chan error, 1)
	go func() { done <- recvInts(ctx, p.a.Main(), 0, 1) }()
	if err := sendInts(ctx, p.d.Main(), 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the resume counted at both ends", func() bool {
		return p.d.Stats().Resumes == 1 && p.a.Stats().Resumes == 1
	})
}
