package netchan_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// A listener's OnError and OnDone say which client an error is about, by
// its address as the listener sees it (host:port).
func TestListenerErrorsNameTheClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	log := &errorLog{}
	onDone, done := doneOnce()
	if _, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.OnError(log.add), netchan.OnDone(onDone)); err != nil {
		t.Fatal(err)
	}
	c, err := typed.Dial[int](ctx, ln.Addr().String(), netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	client := c.LocalAddr().String()
	_ = c.Close() // while the listener's side is open: ErrPeerClosed there
	err = waitDone(t, "listener", done)
	if !errors.Is(err, netchan.ErrPeerClosed) || !strings.Contains(err.Error(), client) {
		t.Fatalf("the listener's OnDone: %v; want ErrPeerClosed naming %s", err, client)
	}
	if errs := log.all(); len(errs) != 1 || !strings.Contains(errs[0].Error(), client) {
		t.Fatalf("the listener's OnError got %v; want one error naming %s", errs, client)
	}
}

// A client that fails to authenticate is named in the listener's report.
func TestWrongSecretNamesTheClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, _, log := trustListener(t, ctx, netchan.WithSecret(netchan.NewSecret()))
	var mu sync.Mutex
	var client string
	dialer := func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			mu.Lock()
			client = nc.LocalAddr().String()
			mu.Unlock()
		}
		return nc, err
	}
	if _, _, err := netchan.Dial[int](ctx, addr, netchan.WithSecret(netchan.NewSecret()), netchan.WithDialer(dialer)); !errors.Is(err, netchan.ErrAuth) {
		t.Fatalf("Dial with a wrong secret: %v; want ErrAuth", err)
	}
	reported(t, log, "the listener to report ErrAuth", netchan.ErrAuth)
	mu.Lock()
	defer mu.Unlock()
	for _, err := range log.all() {
		if errors.Is(err, netchan.ErrAuth) && !strings.Contains(err.Error(), client) {
			t.Fatalf("the listener's report %q does not name the client %s", err, client)
		}
	}
}
