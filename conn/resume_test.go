package conn

import (
	"context"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan/internal/testkit"
)

// Values flow both ways through a proxy that cuts the connection again and
// again: every value arrives once, in order, and the close after them. The
// senders go on only once the connection was cut, so that the cuts happen
// while values flow however fast the machine is.
func TestResumeThroughCuts(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 64
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	const phases, each = 12, 400
	ctx := patience(t)
	var g errgroup.Group
	for _, s := range []*Session{p.d, p.a} {
		g.Go(func() error {
			for phase := range phases {
				testkit.Eventually(t, "the cut before the next values", func() bool { return proxy.Cuts() >= phase })
				if err := sendInts(ctx, s.Main(), phase*each, (phase+1)*each); err != nil {
					return err
				}
			}
			return s.Main().CloseSend()
		})
		g.Go(func() error {
			if err := recvInts(ctx, s.Main(), 0, phases*each); err != nil {
				return err
			}
			return recvEOF(ctx, s.Main())
		})
	}
	stop := make(chan struct{})
	cuts := make(chan struct{})
	go func() {
		defer close(cuts)
		cutEvery(t, proxy, 1<<10, stop)
	}()
	err := g.Wait()
	close(stop)
	<-cuts
	if err != nil {
		t.Fatal(err)
	}
	if r := p.d.Resumes(); r < phases-1 {
		t.Fatalf("%d resumes after %d cuts, want at least %d", r, proxy.Cuts(), phases-1)
	}
	// The resumed session is the one Accept returned: it does not come
	// again, however many times it resumed.
	actx, cancel := context.WithTimeout(ctx, testkit.Settle)
	defer cancel()
	if s, err := p.l.Accept(actx); err == nil {
		t.Fatalf("Accept returned a session again after %d resumes (same: %v)", p.d.Resumes(), s == p.a)
	}
}

// cutEvery resets the proxy's connection each time another n bytes crossed
// it on a new connection, until stop is closed; it gives up, failing the
// test, when no such traffic comes within testkit.Patience.
func cutEvery(t testing.TB, proxy *testkit.Proxy, n int64, stop <-chan struct{}) {
	for i := 0; ; i++ {
		up, down := proxy.Bytes()
		deadline := time.Now().Add(testkit.Patience)
		for {
			if time.Now().After(deadline) {
				t.Errorf("cut %d: not %d bytes more within %v", i, n, testkit.Patience)
				return
			}
			select {
			case <-stop:
				return
			default:
			}
			u, d := proxy.Bytes()
			if proxy.Conns() > i && u+d >= up+down+n {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		proxy.Reset()
	}
}
