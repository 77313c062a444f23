package natsconn_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/netchan/netchan"
	"github.com/netchan/netchan/conn/natsconn"
	"github.com/netchan/netchan/internal/testkit"
)

// A dialer with the wrong secret is refused over NATS as over TCP, and the
// listener reports why.
func TestWrongSecretRefused(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lerr := &errorLog{}
	listen[int](t, ctx, nc, "secret", netchan.WithSecret(netchan.NewSecret()), netchan.OnError(lerr.add))
	_, _, err := netchan.Dial[int](ctx, "secret", netchan.WithDialer(natsconn.Dialer(nc)), netchan.WithSecret(netchan.NewSecret()))
	if !wraps(err, netchan.ErrAuth) {
		t.Fatalf("Dial with the wrong secret: %v; want ErrAuth", err)
	}
	testkit.Eventually(t, "the listener to report the failed proof", func() bool {
		for _, err := range lerr.all() {
			if wraps(err, netchan.ErrAuth) {
				return true
			}
		}
		return false
	})
}

// The NATS server relays only ciphertext: a tap subscribed to every
// subject never sees the values, under each trust mode. Under Insecure()
// it does, which shows that the tap sees the traffic.
func TestServerSeesOnlyCiphertext(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	secret := []byte("attack at dawn, by the north gate")
	modes := trusts(t)
	quiet := netchan.WithLogger(slog.New(slog.DiscardHandler)) // Insecure's warning is expected here
	modes = append(modes, trust{"insecure", []netchan.Option{netchan.Insecure(), quiet}, []netchan.Option{netchan.Insecure()}})
	for _, tr := range modes {
		t.Run(tr.name, func(t *testing.T) {
			tap := newTap(t, s.ClientURL())
			p := dialPair[string](t, nc, nc, "confidential", tr.listen, tr.dialer)
			testkit.Send(t, p.ds, string(secret))
			testkit.Send(t, p.ls, string(secret))
			testkit.Recv(t, p.lr)
			testkit.Recv(t, p.dr)
			seen := tap.saw(t, nc, secret)
			if want := tr.name == "insecure"; seen != want {
				t.Fatalf("the tap saw the plaintext: %v, want %v", seen, want)
			}
		})
	}
}

// tap records every message a NATS server relays.
type tap struct {
	nc  *nats.Conn
	mu  sync.Mutex
	all [][]byte
}

func newTap(t *testing.T, url string) *tap {
	tp := &tap{nc: connect(t, url)}
	sub, err := tp.nc.Subscribe(">", func(m *nats.Msg) {
		tp.mu.Lock()
		tp.all = append(tp.all, m.Data)
		tp.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		t.Fatal(err)
	}
	if err := tp.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return tp
}

// saw reports whether any message nc published so far held b: a marker
// nc publishes last reaches the tap after all of them.
func (tp *tap) saw(t *testing.T, nc *nats.Conn, b []byte) bool {
	marker := []byte(nats.NewInbox())
	if err := nc.Publish("tap.marker", marker); err != nil {
		t.Fatal(err)
	}
	found := false
	testkit.Eventually(t, "the tap to see the marker", func() bool {
		tp.mu.Lock()
		defer tp.mu.Unlock()
		for _, m := range tp.all {
			found = found || bytes.Contains(m, b)
			if bytes.Equal(m, marker) {
				return true
			}
		}
		return false
	})
	return found
}
