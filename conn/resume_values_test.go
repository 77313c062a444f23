package conn

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan/internal/testkit"
)

// On a rendezvous session each send waits for the peer's program to take
// its value, across cuts: the acknowledgement of a value whose connection
// broke comes on the next, and a goroutine that reads for itself (the
// turn) moves to the new connection.
func TestResumeRendezvousAcks(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 0
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr, testkit.WithSplit(testSeed(t), 16))
		return proxy.Addr()
	})
	ctx := patience(t)
	const n = 150
	done := make(chan error, 1)
	go func() {
		var g errgroup.Group
		for _, ends := range [][2]*Session{{p.d, p.a}, {p.a, p.d}} {
			from, to := ends[0].Main(), ends[1].Main()
			g.Go(func() error {
				for i := range n {
					if err := sendAcked(ctx, from, []byte(strconv.Itoa(i))); err != nil {
						return fmt.Errorf("value %d: %w", i, err)
					}
				}
				return nil
			})
			g.Go(func() error { return recvInts(ctx, to, 0, n) })
		}
		done <- g.Wait()
	}()
	for range 6 {
		if !cutAfter(t, proxy, 600, testkit.Either, testkit.RST, done) {
			break
		}
	}
	proxy.CutAfter(1<<62, testkit.Either, testkit.RST) // disarm
	if err, _ := testkit.Recv(t, done); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cuts, %d resumes", proxy.Cuts(), p.d.Resumes())
}

// Values larger than the read buffer, read in pieces, cross cuts that fall
// inside them.
func TestResumeLargeValues(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 8
	cfg.MaxValue = 64 << 10
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	ctx := patience(t)
	value := func(i int) []byte {
		return append(bytes.Repeat([]byte{byte(i)}, 5000+(i*7919)%30000), strconv.Itoa(i)...)
	}
	done := make(chan error, 1)
	go func() { done <- exchangeValues(ctx, p.d.Main(), p.a.Main(), 60, value) }()
	seed := testSeed(t)
	for i := range 6 {
		n := 1 + int64((seed>>(8*i))%40000)
		if !cutAfter(t, proxy, n, testkit.Either, testkit.RST, done) {
			break
		}
	}
	proxy.CutAfter(1<<62, testkit.Either, testkit.RST) // disarm
	if err, _ := testkit.Recv(t, done); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cuts, %d resumes", proxy.Cuts(), p.d.Resumes())
}
