package conn

import (
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan/internal/testkit"
)

// Values flow both ways through a proxy that cuts the connection again and
// again: every value arrives once, in order, and the close after them.
func TestResumeThroughCuts(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 64
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	const n = 5000
	ctx := patience(t)
	var g errgroup.Group
	g.Go(func() error {
		if err := sendInts(ctx, p.d.Main(), 0, n); err != nil {
			return err
		}
		return p.d.Main().CloseSend()
	})
	g.Go(func() error {
		if err := sendInts(ctx, p.a.Main(), 0, n); err != nil {
			return err
		}
		return p.a.Main().CloseSend()
	})
	g.Go(func() error {
		if err := recvInts(ctx, p.a.Main(), 0, n); err != nil {
			return err
		}
		return recvEOF(ctx, p.a.Main())
	})
	g.Go(func() error {
		if err := recvInts(ctx, p.d.Main(), 0, n); err != nil {
			return err
		}
		return recvEOF(ctx, p.d.Main())
	})
	stop := make(chan struct{})
	cuts := make(chan struct{})
	go func() {
		defer close(cuts)
		cutEvery(t, proxy, 4<<10, stop)
	}()
	err := g.Wait()
	close(stop)
	<-cuts
	if err != nil {
		t.Fatal(err)
	}
	if r := p.d.Resumes(); r < 10 {
		t.Fatalf("%d resumes after %d cuts, want at least 10", r, proxy.Cuts())
	}
	t.Logf("%d cuts, %d resumes", proxy.Cuts(), p.d.Resumes())
}

// cutEvery resets the proxy's connection each time another n bytes crossed
// it on a new connection, until stop is closed.
func cutEvery(t testing.TB, proxy *testkit.Proxy, n int64, stop <-chan struct{}) {
	for i := 0; ; i++ {
		up, down := proxy.Bytes()
		for {
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
