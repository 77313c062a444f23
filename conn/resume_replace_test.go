package conn

import (
	"context"
	"net"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan/internal/testkit"
)

// A dialer that resumes while the listener's end of its old connection
// still looks alive (the network holds everything, the dialer's goodbye
// included) replaces that connection at once, rather than wait for the
// listener to notice.
func TestResumeReplacesALiveConnection(t *testing.T) {
	l := serve(t, testConfig())
	var a *Session
	var first *severable
	aliveAtResume := make(chan bool, 1)
	cfg := testConfig()
	var dials int
	cfg.Dialer = func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		dials++ // the session dials one at a time
		if dials == 1 {
			first = &severable{Conn: nc}
			t.Cleanup(first.closeSocket)
			return first, nil
		}
		a.mu.Lock()
		aliveAtResume <- a.cur != nil
		a.mu.Unlock()
		return nc, nil
	}
	ctx := patience(t)
	d, err := Dial(ctx, l.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if a, err = l.Accept(ctx); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := sendInts(ctx, d.Main(), 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := recvInts(ctx, a.Main(), 0, 1); err != nil {
		t.Fatal(err)
	}
	first.sever()
	if alive, _ := testkit.Recv(t, aliveAtResume); !alive {
		t.Fatal("the listener saw the old connection end: the test proves nothing")
	}
	var g errgroup.Group
	g.Go(func() error { return sendInts(ctx, d.Main(), 1, 21) })
	g.Go(func() error { return recvInts(ctx, a.Main(), 1, 20) })
	g.Go(func() error { return sendInts(ctx, a.Main(), 0, 20) })
	g.Go(func() error { return recvInts(ctx, d.Main(), 0, 20) })
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if d.Resumes() != 1 || a.Resumes() != 1 {
		t.Fatalf("%d and %d resumes", d.Resumes(), a.Resumes())
	}
}
