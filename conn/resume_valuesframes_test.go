package conn

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// sendSegments sends value(0) to value(segments*per-1) on st in SendN
// groups of up to batch, a segment of per values each time gate lets one
// go, then its close.
func sendSegments(ctx context.Context, st *Stream, gate <-chan struct{}, segments, per, batch int, value func(i int) []byte) error {
	for seg := range segments {
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for i, end := seg*per, (seg+1)*per; i < end; {
			k := min(batch, end-i)
			for range k {
				if err := st.Reserve(ctx); err != nil {
					return fmt.Errorf("stream %d: reserve %d: %w", st.ID(), i, err)
				}
			}
			if _, err := st.SendN(k, func(j int) []byte { return value(i + j) }); err != nil {
				return fmt.Errorf("stream %d: send %d to %d: %w", st.ID(), i, i+k-1, err)
			}
			i += k
		}
	}
	return st.CloseSend()
}

// Values sent in values frames cross cuts, by reset and by FIN, that fall
// inside those frames: each arrives once and in order, both ways. Each
// segment of values goes only once the cut before it happened and the
// next is armed, and is more bytes than the cut waits for, so every cut
// falls while values flow.
func TestResumeValuesFrames(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 32
	seed := testSeed(t)
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr, testkit.WithSplit(seed, 16))
		return proxy.Addr()
	})
	ctx := patience(t)
	const segments, per, batch = 6, 100, 8
	const n = segments * per
	value := func(i int) []byte { return fmt.Appendf(nil, "v%03d", i) }
	gates := []chan struct{}{make(chan struct{}, segments), make(chan struct{}, segments)}
	done := make(chan error, 1)
	go func() {
		var g errgroup.Group
		for i, ends := range [][2]*Session{{p.d, p.a}, {p.a, p.d}} {
			from, to := ends[0].Main(), ends[1].Main()
			g.Go(func() error { return sendSegments(ctx, from, gates[i], segments, per, batch, value) })
			g.Go(func() error { return recvValues(ctx, to, n, value) })
		}
		done <- g.Wait()
	}()
	// waitFor polls until cond holds, failing the test if the values stop
	// first or it takes too long.
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(testkit.Patience)
		for !cond() {
			select {
			case err := <-done:
				t.Fatalf("the values stopped before %s: %v", what, err)
			case <-deadline:
				t.Fatalf("%s: not within %v", what, testkit.Patience)
			case <-time.After(time.Millisecond):
			}
		}
	}
	for k := range segments {
		// A segment is 100 values of 4 bytes each way: far more than
		// 400 bytes, whatever the frames. The cut is armed once the
		// session resumed from the one before, so that it falls among
		// values, not in a resume's handshake.
		kind := []testkit.CutKind{testkit.RST, testkit.FIN}[k%2]
		proxy.CutAfter(1+int64((seed>>(5*k))%400), testkit.Either, kind)
		for _, gate := range gates {
			gate <- struct{}{}
		}
		waitFor(fmt.Sprintf("cut %d", k+1), func() bool { return proxy.Cuts() > k })
		waitFor(fmt.Sprintf("resume %d", k+1), func() bool { return p.d.Resumes() > k && p.a.Resumes() > k })
	}
	if err, _ := testkit.Recv(t, done); err != nil {
		t.Fatalf("after %d cuts and %d resumes: %v", proxy.Cuts(), p.d.Resumes(), err)
	}
	if p.d.Err() != nil || p.a.Err() != nil {
		t.Fatalf("the sessions ended: %v, %v", p.d.Err(), p.a.Err())
	}
	// Data frames alone would take more bytes than this end sent: the
	// values went in values frames.
	var alone uint64
	for i := range n {
		alone += uint64(wire.HeaderSize + wire.DataPrefixLen(uint64(i)) + len(value(i)))
	}
	for _, s := range []*Session{p.d, p.a} {
		if sent := s.Stats().BytesSent; sent >= alone {
			t.Errorf("%d bytes sent for %d values, which data frames alone take %d", sent, n, alone)
		}
	}
	t.Logf("%d cuts, %d resumes", proxy.Cuts(), p.d.Resumes())
}
