package conn

import (
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan/internal/testkit"
)

// Streams other than the main one survive resumes: those opened before a
// cut carry on, one opened while the session has no connection reaches
// the peer once it resumes, and each keeps its order and close.
func TestStreamsSurviveResume(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 8
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	ctx := patience(t)
	fromD, err := p.d.Open(4, []byte("from the dialer"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fromA, err := p.a.Open(0, []byte("from the listener"), nil)
	if err != nil {
		t.Fatal(err)
	}
	atA, err := p.a.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	atD, err := p.d.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var g errgroup.Group
	g.Go(func() error { return exchangeValues(ctx, fromD, atA, 300, cutValue) })
	g.Go(func() error { return exchangeValues(ctx, fromA, atD, 100, cutValue) })
	g.Go(func() error { return exchangeValues(ctx, p.d.Main(), p.a.Main(), 300, cutValue) })

	// A stream opened while the connection is down.
	proxy.Refuse(true)
	proxy.Reset()
	late, err := p.d.Open(2, []byte("opened while cut"), nil)
	if err != nil {
		t.Fatal(err)
	}
	proxy.Refuse(false)
	lateAt, err := p.a.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(lateAt.Meta()) != "opened while cut" || lateAt.ID() != late.ID() {
		t.Fatalf("accepted stream %d (%q)", lateAt.ID(), lateAt.Meta())
	}
	g.Go(func() error { return exchangeValues(ctx, late, lateAt, 100, cutValue) })
	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	for range 3 {
		if !cutAfter(t, proxy, 3000, testkit.Either, testkit.RST, done) {
			break
		}
	}
	proxy.CutAfter(1<<62, testkit.Either, testkit.RST) // disarm
	if err, _ := testkit.Recv(t, done); err != nil {
		t.Fatal(err)
	}
	if p.d.Resumes() < 1 {
		t.Fatalf("%d resumes", p.d.Resumes())
	}
	t.Logf("%d cuts, %d resumes", proxy.Cuts(), p.d.Resumes())
}
