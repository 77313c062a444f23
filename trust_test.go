package netchan_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// listenLogged starts a channel-API listener on loopback whose errors go to
// the returned log. ctx's end stops it.
func listenLogged[T any](t *testing.T, ctx context.Context, opts ...netchan.Option) (addr string, send chan<- T, recv <-chan T, log *errorLog) {
	t.Helper()
	log = &errorLog{}
	ln := testkit.Loopback(t)
	send, recv, err := netchan.Listen[T](ctx, "", append([]netchan.Option{netchan.WithListener(ln), netchan.OnError(log.add)}, opts...)...)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	return ln.Addr().String(), send, recv, log
}

// trustListener is listenLogged for int values.
func trustListener(t *testing.T, ctx context.Context, opts ...netchan.Option) (string, chan<- int, <-chan int, *errorLog) {
	t.Helper()
	return listenLogged[int](t, ctx, opts...)
}

// reported waits until an error that wraps every target reaches log, and
// returns it.
func reported(t *testing.T, log *errorLog, what string, targets ...error) error {
	t.Helper()
	var found error
	testkit.Eventually(t, what, func() bool {
		for _, err := range log.all() {
			if wrapsAll(err, targets...) {
				found = err
				return true
			}
		}
		return false
	})
	return found
}

func wrapsAll(err error, targets ...error) bool {
	for _, target := range targets {
		if !errors.Is(err, target) {
			return false
		}
	}
	return err != nil
}

// Every byte a passive eavesdropper sees is ciphertext in each mode but
// Insecure, in which the values are there to read.
func TestOnlyInsecureShowsValues(t *testing.T) {
	const marker = "confidential-marker-8d1f"
	for _, tr := range transports(t) {
		t.Run(tr.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addr, ls, lr, _ := listenLogged[string](t, ctx, tr.listen...)
			tap := testkit.NewTap(t, addr)
			ds, dr, err := netchan.Dial[string](ctx, tap.Addr(), tr.dialer...)
			if err != nil {
				t.Fatalf("Dial through the tap: %v", err)
			}
			testkit.Send(t, ds, marker+" from the dialer")
			if v, _ := testkit.Recv(t, lr); v != marker+" from the dialer" {
				t.Fatalf("listener got %q", v)
			}
			testkit.Send(t, ls, marker+" from the listener")
			if v, _ := testkit.Recv(t, dr); v != marker+" from the listener" {
				t.Fatalf("dialer got %q", v)
			}
			seen := tap.Seen()
			if got, want := bytes.Contains(seen, []byte(marker)), tr.name == "insecure"; got != want {
				t.Fatalf("marker visible on the wire: %v, want %v (%d bytes seen)", got, want, len(seen))
			}
		})
	}
}

// WithSecret combined with WithTLS verifies the certificate and the secret.
func TestSecretWithTLS(t *testing.T) {
	trust := testkit.NewTrust(t)
	secret := netchan.NewSecret()
	e := connect[int](t,
		[]netchan.Option{netchan.WithTLS(trust.Server), netchan.WithSecret(secret)},
		[]netchan.Option{netchan.WithTLS(trust.Client), netchan.WithSecret(secret)})
	testkit.Send(t, e.ds, 1)
	if v, _ := testkit.Recv(t, e.lr); v != 1 {
		t.Fatalf("got %d", v)
	}
	testkit.Send(t, e.ls, 2)
	if v, _ := testkit.Recv(t, e.dr); v != 2 {
		t.Fatalf("got %d", v)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, _, err := netchan.Dial[int](ctx, e.addr, netchan.WithTLS(trust.Client), netchan.WithSecret(netchan.NewSecret()))
	if !errors.Is(err, netchan.ErrAuth) {
		t.Fatalf("right certificate, wrong secret: %v; want ErrAuth", err)
	}
	stranger := testkit.NewTrust(t)
	_, _, err = netchan.Dial[int](ctx, e.addr, netchan.WithTLS(stranger.Client), netchan.WithSecret(secret))
	if !errors.Is(err, netchan.ErrHandshake) {
		t.Fatalf("right secret, unknown CA: %v; want ErrHandshake", err)
	}
}

func TestWrongSecretRefusedBothWays(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, _, log := trustListener(t, ctx, netchan.WithSecret(netchan.NewSecret()))
	_, _, err := netchan.Dial[int](ctx, addr, netchan.WithSecret(netchan.NewSecret()))
	if !errors.Is(err, netchan.ErrAuth) {
		t.Fatalf("Dial with a wrong secret: %v; want ErrAuth", err)
	}
	reported(t, log, "the listener to report ErrAuth", netchan.ErrAuth)
}

// A secret on one end only is refused by both: neither may fall back to
// trusting less than it was told to.
func TestSecretOnOneEndOnly(t *testing.T) {
	trust := testkit.NewTrust(t)
	secret := netchan.NewSecret()
	for _, tc := range []struct {
		name           string
		listen, dialer []netchan.Option
	}{
		{"listener", []netchan.Option{netchan.WithTLS(trust.Server), netchan.WithSecret(secret)}, []netchan.Option{netchan.WithTLS(trust.Client)}},
		{"dialer", []netchan.Option{netchan.WithTLS(trust.Server)}, []netchan.Option{netchan.WithTLS(trust.Client), netchan.WithSecret(secret)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addr, _, _, log := trustListener(t, ctx, tc.listen...)
			if _, _, err := netchan.Dial[int](ctx, addr, tc.dialer...); !errors.Is(err, netchan.ErrAuth) {
				t.Fatalf("Dial: %v; want ErrAuth", err)
			}
			reported(t, log, "the listener to report ErrAuth", netchan.ErrAuth)
		})
	}
}

// A party in the middle that terminates TLS on both sides cannot relay the
// secret's proofs: each is bound to the session it was made for.
func TestMITMRefusedUnderSecret(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := netchan.NewSecret()
	addr, _, _, log := trustListener(t, ctx, netchan.WithSecret(secret))
	mitm := testkit.NewMITM(t, addr)
	_, _, err := netchan.Dial[int](ctx, mitm.Addr(), netchan.WithSecret(secret))
	if !errors.Is(err, netchan.ErrAuth) {
		t.Fatalf("Dial through the MITM: %v; want ErrAuth", err)
	}
	reported(t, log, "the listener to report ErrAuth", netchan.ErrAuth)
	if n := mitm.Sessions(); n != 1 {
		t.Fatalf("the MITM established %d relays, want 1: the refusal must come from the proofs", n)
	}
	// The same secret works without the MITM.
	if _, _, err := netchan.Dial[int](ctx, addr, netchan.WithSecret(secret)); err != nil {
		t.Fatalf("Dial direct: %v", err)
	}
}

func TestMITMRefusedUnderTLS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trust := testkit.NewTrust(t)
	addr, _, _, _ := trustListener(t, ctx, netchan.WithTLS(trust.Server))
	mitm := testkit.NewMITM(t, addr)
	_, _, err := netchan.Dial[int](ctx, mitm.Addr(), netchan.WithTLS(trust.Client))
	if !errors.Is(err, netchan.ErrHandshake) {
		t.Fatalf("Dial through the MITM: %v; want ErrHandshake", err)
	}
	if n := mitm.Sessions(); n != 0 {
		t.Fatalf("the MITM established %d relays, want 0", n)
	}
}

func TestUnknownCARefused(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trust, stranger := testkit.NewTrust(t), testkit.NewTrust(t)
	t.Run("server", func(t *testing.T) {
		addr, _, _, _ := trustListener(t, ctx, netchan.WithTLS(stranger.Server))
		if _, _, err := netchan.Dial[int](ctx, addr, netchan.WithTLS(trust.Client)); !errors.Is(err, netchan.ErrHandshake) {
			t.Fatalf("Dial to a server of an unknown CA: %v; want ErrHandshake", err)
		}
	})
	t.Run("client", func(t *testing.T) {
		// The client trusts the server, but its own certificate comes from
		// a CA the server does not know.
		cli := stranger.MutualClient.Clone()
		cli.RootCAs = trust.CA.Pool()
		addr, _, _, log := trustListener(t, ctx, netchan.WithTLS(trust.MutualServer))
		if _, _, err := netchan.Dial[int](ctx, addr, netchan.WithTLS(cli)); !errors.Is(err, netchan.ErrHandshake) {
			t.Fatalf("Dial with a client certificate of an unknown CA: %v; want ErrHandshake", err)
		}
		reported(t, log, "the listener to report the refused certificate", netchan.ErrHandshake)
	})
}

func TestMutualTLSRequiresClientCertificate(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trust := testkit.NewTrust(t)
	addr, _, _, log := trustListener(t, ctx, netchan.WithTLS(trust.MutualServer))
	if _, _, err := netchan.Dial[int](ctx, addr, netchan.WithTLS(trust.Client)); !errors.Is(err, netchan.ErrHandshake) {
		t.Fatalf("Dial without a client certificate: %v; want ErrHandshake", err)
	}
	reported(t, log, "the listener to report the missing certificate", netchan.ErrHandshake)
	if _, _, err := netchan.Dial[int](ctx, addr, netchan.WithTLS(trust.MutualClient)); err != nil {
		t.Fatalf("Dial with a client certificate: %v", err)
	}
}

// Configurations that would trust less than they say are errors at Listen
// and Dial, before any connection.
func TestWeakTrustConfigurationsRefused(t *testing.T) {
	trust := testkit.NewTrust(t)
	tls12 := func(c *tls.Config) *tls.Config {
		c = c.Clone()
		c.MaxVersion = tls.VersionTLS12
		return c
	}
	skip := trust.Client.Clone()
	skip.InsecureSkipVerify = true
	for _, tc := range []struct {
		name           string
		listen, dialer []netchan.Option
		want           string
	}{
		{"secret and insecure",
			[]netchan.Option{netchan.WithSecret(netchan.NewSecret()), netchan.Insecure()},
			[]netchan.Option{netchan.WithSecret(netchan.NewSecret()), netchan.Insecure()}, "Insecure"},
		{"TLS and insecure",
			[]netchan.Option{netchan.WithTLS(trust.Server), netchan.Insecure()},
			[]netchan.Option{netchan.WithTLS(trust.Client), netchan.Insecure()}, "Insecure"},
		{"TLS 1.2 only",
			[]netchan.Option{netchan.WithTLS(tls12(trust.Server))},
			[]netchan.Option{netchan.WithTLS(tls12(trust.Client))}, "TLS 1.3"},
		{"short secret",
			[]netchan.Option{netchan.WithSecret("0123456789abcdef")},
			[]netchan.Option{netchan.WithSecret("0123456789abcdef")}, "WithSecret"},
		{"skip verify",
			[]netchan.Option{netchan.WithTLS(trust.Server)},
			[]netchan.Option{netchan.WithTLS(skip)}, "InsecureSkipVerify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.name != "skip verify" {
				_, _, err := netchan.Listen[int](ctx, "127.0.0.1:0", tc.listen...)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Listen: %v; want an error naming %q", err, tc.want)
				}
			}
			_, _, err := netchan.Dial[int](ctx, "127.0.0.1:1", tc.dialer...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Dial: %v; want an error naming %q", err, tc.want)
			}
		})
	}
}

// A TLS 1.2 client that is not netchan's own is refused by the listener,
// which speaks TLS 1.3 only.
func TestListenerRefusesTLS12Client(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trust := testkit.NewTrust(t)
	addr, _, _, log := trustListener(t, ctx, netchan.WithTLS(trust.Server))
	cfg := trust.Client.Clone()
	cfg.MaxVersion = tls.VersionTLS12
	d := tls.Dialer{Config: cfg}
	dctx, dcancel := context.WithTimeout(ctx, testkit.Patience)
	defer dcancel()
	c, err := d.DialContext(dctx, "tcp", addr)
	if err == nil {
		_ = c.Close()
		t.Fatal("a TLS 1.2 handshake with the listener succeeded")
	}
	if !strings.Contains(err.Error(), "version") {
		t.Errorf("TLS 1.2 client: %v; want a protocol version alert", err)
	}
	reported(t, log, "the listener to report the refused client", netchan.ErrHandshake)
}

func TestNoTrustNamesEveryMode(t *testing.T) {
	ctx := context.Background()
	_, _, derr := netchan.Dial[int](ctx, "127.0.0.1:1")
	_, _, lerr := netchan.Listen[int](ctx, "127.0.0.1:0")
	for name, err := range map[string]error{"Dial": derr, "Listen": lerr} {
		if !errors.Is(err, netchan.ErrNoTrust) {
			t.Fatalf("%s: %v; want ErrNoTrust", name, err)
		}
		for _, mode := range []string{"WithTLS", "WithSecret", "Insecure"} {
			if !strings.Contains(err.Error(), mode) {
				t.Errorf("%s: %q does not name %s", name, err, mode)
			}
		}
	}
}

// An Insecure listener says so in its log, so plaintext is never chosen
// silently.
func TestInsecureListenerWarns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	trustListener(t, ctx, netchan.Insecure(), netchan.WithLogger(logger))
	if out := buf.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "plaintext") {
		t.Fatalf("log after Listen with Insecure: %q; want a warning about plaintext", out)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
