package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// rawHandshake runs the Conn's side of a handshake in role over net.Pipe
// against script, which plays the peer and may read and write what it
// likes. It returns the handshake's error; a Conn, if one was made, is
// closed.
func rawHandshake(t *testing.T, cfg *Config, role wire.Role, script func(p *rawPeer)) error {
	t.Helper()
	a, b := net.Pipe()
	p := &rawPeer{t: t, nc: b}
	done := make(chan error, 1)
	go func() {
		c, err := handshake(context.Background(), a, cfg, role, nil)
		if c != nil {
			_ = c.Close()
		}
		done <- err
	}()
	script(p)
	drained := p.drain()
	err, _ := testkit.Recv(t, done)
	_ = b.Close()
	<-drained
	return err
}

// readHelloFrame reads the Conn's hello.
func (p *rawPeer) readHelloFrame() wire.Hello {
	p.t.Helper()
	f := p.read()
	h, err := wire.ParseHello(f.Payload)
	if f.Kind != wire.KindHello || f.Stream != 0 || err != nil {
		p.t.Fatalf("Conn opened with a %s frame on stream %d (%v)", f.Kind, f.Stream, err)
	}
	return h
}

// refusal reads the goaway the Conn sends when it refuses the peer.
func (p *rawPeer) refusal() wire.GoAway {
	p.t.Helper()
	f := p.read()
	g, err := wire.ParseGoAway(f.Payload)
	if f.Kind != wire.KindGoAway || err != nil {
		p.t.Fatalf("got a %s frame (%v), want a goaway", f.Kind, err)
	}
	return g
}

func TestHandshakeHello(t *testing.T) {
	cfg := testConfig()
	err := rawHandshake(t, cfg, wire.RoleDialer, func(p *rawPeer) {
		h := p.readHelloFrame()
		if h.Version != wire.Version || h.Role != wire.RoleDialer || h.Codec != "cbor" ||
			h.Capacity != 2 || h.MaxValue != 1024 || len(h.Proof) != 0 {
			t.Errorf("Conn's hello %+v", h)
		}
		p.write(helloFrame(peerHello(cfg, wire.RoleListener)))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHandshakeSmallerCapacityWins(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 8
	c, _ := pipeConnEdited(t, cfg, wire.RoleListener, func(h *wire.Hello) { h.Capacity = 0 })
	if c.Capacity() != 0 {
		t.Errorf("capacity %d after offers of 8 and 0", c.Capacity())
	}
}

func TestHandshakeRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(h *wire.Hello)
		want error
	}{
		{"version mismatch", func(h *wire.Hello) { h.Version = wire.Version + 1 }, ErrHandshake},
		{"codec mismatch", func(h *wire.Hello) { h.Codec = "gob" }, ErrCodecMismatch},
		{"reflected role", func(h *wire.Hello) { h.Role = wire.RoleListener }, ErrHandshake},
		{"max value zero", func(h *wire.Hello) { h.MaxValue = 0 }, ErrHandshake},
		{"proof without a secret", func(h *wire.Hello) { h.Proof = make([]byte, 32) }, ErrAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			var g wire.GoAway
			err := rawHandshake(t, cfg, wire.RoleListener, func(p *rawPeer) {
				p.readHelloFrame()
				h := peerHello(cfg, wire.RoleDialer)
				tc.edit(&h)
				p.write(helloFrame(h))
				g = p.refusal()
			})
			wantErr(t, tc.name, err, tc.want)
			if g.Code != wire.CodeRefused {
				t.Errorf("refusal code %s, want %s", g.Code, wire.CodeRefused)
			}
		})
	}
}

// A hello echoed back is the Conn's own, with its own role: refused.
func TestHandshakeReflectedHello(t *testing.T) {
	err := rawHandshake(t, testConfig(), wire.RoleDialer, func(p *rawPeer) {
		h := p.readHelloFrame()
		p.write(helloFrame(h))
	})
	wantErr(t, "reflected hello", err, ErrHandshake)
	if err != nil && !strings.Contains(err.Error(), "dialer too") {
		t.Errorf("error %q does not name the reflected role", err)
	}
}

func TestHandshakeMalformed(t *testing.T) {
	cfg := testConfig()
	hello := helloFrame(peerHello(cfg, wire.RoleDialer))
	for name, b := range map[string][]byte{
		"data before hello":   dataFrame(MainStream, 0, "v"),
		"hello on stream 1":   frameBytes(wire.KindHello, 1, hello[wire.HeaderSize:]),
		"oversized hello":     wire.AppendHeader(nil, wire.Header{Length: wire.MaxHelloSize + 1, Kind: wire.KindHello}),
		"bad magic":           frameBytes(wire.KindHello, 0, append([]byte("NETCHAN"), hello[wire.HeaderSize+7:]...)),
		"unknown kind":        {0, 0, 0, 0, 0xEE, 0, 0, 0, 0},
		"http request":        []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
		"hello cut then EOF":  hello[:len(hello)-2],
		"header cut then EOF": hello[:5],
	} {
		t.Run(name, func(t *testing.T) {
			err := rawHandshake(t, cfg, wire.RoleListener, func(p *rawPeer) {
				p.readHelloFrame()
				// net.Pipe has no buffer: the Conn may refuse before it read
				// all of b, and its refusal must not wait on this write.
				drained := p.drain()
				_, _ = p.nc.Write(b)
				_ = p.nc.Close()
				<-drained
			})
			wantErr(t, name, err, ErrHandshake)
		})
	}
}

func TestHandshakePeerRefuses(t *testing.T) {
	err := rawHandshake(t, testConfig(), wire.RoleDialer, func(p *rawPeer) {
		p.readHelloFrame()
		p.write(goAwayFrame(wire.CodeRefused, "not today"))
	})
	var g *GoAwayError
	if !errors.As(err, &g) || g.Reason != "not today" {
		t.Fatalf("error %v, want the peer's GoAwayError", err)
	}
	wantErr(t, "refused by the peer", err, ErrHandshake)
}

// shortTimeout is testConfig with a short handshake timeout.
func shortTimeout(d time.Duration) *Config {
	cfg := testConfig()
	cfg.HandshakeTimeout = d
	return cfg
}

func wantTimeout(t *testing.T, what string, err error) {
	t.Helper()
	wantErr(t, what, err, ErrHandshake)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("%s: error %v is not a net.Error with Timeout() true", what, err)
	}
}

func TestHandshakeTimeoutDial(t *testing.T) {
	nl := testkit.Loopback(t)
	defer nl.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		nc, err := nl.Accept()
		if err == nil {
			accepted <- nc
		}
		close(accepted)
	}()
	_, err := Dial(context.Background(), nl.Addr().String(), shortTimeout(200*time.Millisecond))
	wantTimeout(t, "silent listener", err)
	if nc, ok := testkit.Recv(t, accepted); ok {
		_ = nc.Close()
	}
}

func TestHandshakeTimeoutPipe(t *testing.T) {
	err := rawHandshake(t, shortTimeout(200*time.Millisecond), wire.RoleListener, func(p *rawPeer) {
		p.readHelloFrame()
		// and say nothing
	})
	wantTimeout(t, "silent dialer", err)
}

func TestHandshakeTimeoutServe(t *testing.T) {
	cfg := shortTimeout(200 * time.Millisecond)
	errs := make(chan error, 4)
	cfg.OnError = func(err error) { errs <- err }
	l, err := Serve(testkit.Loopback(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	err, _ = testkit.Recv(t, errs)
	wantTimeout(t, "listener with a silent client", err)
}

// serve starts a listener of cfg on loopback, closed when the test ends,
// and returns it with the errors it reports.
func serve(t *testing.T, cfg *Config) (*Listener, <-chan error) {
	t.Helper()
	errs := make(chan error, 16)
	cfg.OnError = func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	l, err := Serve(testkit.Loopback(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l, errs
}

func TestCodecMismatchBothEnds(t *testing.T) {
	l, errs := serve(t, testConfig())
	cfg := testConfig()
	cfg.Codec = "gob"
	_, err := Dial(context.Background(), l.Addr().String(), cfg)
	wantErr(t, "dialer", err, ErrCodecMismatch)
	lerr, _ := testkit.Recv(t, errs)
	wantErr(t, "listener", lerr, ErrCodecMismatch)
}

func TestDialServe(t *testing.T) {
	l, _ := serve(t, testConfig())
	c, err := Dial(context.Background(), l.Addr().String(), testConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, err := l.Accept(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if err := c.Stream().Reserve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stream().Send([]byte("over tcp")); err != nil {
		t.Fatal(err)
	}
	m, err := sc.Stream().Next(context.Background())
	if err != nil || string(m.Value) != "over tcp" {
		t.Fatalf("Next = %q, %v", m.Value, err)
	}
	m.Release()
	_ = c.Close()
	wantErr(t, "listener side after the dialer closed", ended(t, sc), ErrPeerClosed)
}

func tls13(cfg *tls.Config) *tls.Config {
	cfg = cfg.Clone()
	cfg.MinVersion = tls.VersionTLS13
	return cfg
}

func TestTLSClientPlaintextListener(t *testing.T) {
	trust := testkit.NewTrust(t)
	l, errs := serve(t, testConfig())
	cfg := testConfig()
	cfg.Insecure = false
	cfg.TLS = tls13(trust.Client)
	_, err := Dial(context.Background(), l.Addr().String(), cfg)
	wantErr(t, "TLS dialer", err, ErrHandshake)
	if err != nil && !strings.Contains(err.Error(), "does not speak TLS") {
		t.Errorf("dialer's error %q does not say the listener lacks TLS", err)
	}
	lerr, _ := testkit.Recv(t, errs)
	wantErr(t, "plaintext listener", lerr, ErrHandshake)
	if !strings.Contains(lerr.Error(), "TLS") {
		t.Errorf("listener's error %q does not say the client spoke TLS", lerr)
	}
}

func TestPlaintextClientTLSListener(t *testing.T) {
	trust := testkit.NewTrust(t)
	scfg := testConfig()
	scfg.Insecure = false
	scfg.TLS = tls13(trust.Server)
	l, errs := serve(t, scfg)
	_, err := Dial(context.Background(), l.Addr().String(), testConfig())
	wantErr(t, "plaintext dialer", err, ErrHandshake)
	t.Logf("dialer: %v", err) // EOF or a reset, depending on timing
	lerr, _ := testkit.Recv(t, errs)
	wantErr(t, "TLS listener", lerr, ErrHandshake)
	if !strings.Contains(lerr.Error(), "does not speak TLS") {
		t.Errorf("listener's error %q does not say the client lacks TLS", lerr)
	}
}

func TestTLSHandshake(t *testing.T) {
	trust := testkit.NewTrust(t)
	scfg := testConfig()
	scfg.Insecure, scfg.TLS = false, tls13(trust.Server)
	scfg.Secret = []byte("a secret both ends know")
	l, _ := serve(t, scfg)
	dcfg := testConfig()
	dcfg.Insecure, dcfg.TLS = false, tls13(trust.Client)
	dcfg.Secret = scfg.Secret
	c, err := Dial(context.Background(), l.Addr().String(), dcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if st := c.TLS(); st == nil || st.NegotiatedProtocol != ALPN || st.Version != tls.VersionTLS13 {
		t.Errorf("TLS state %+v", st)
	}
	sc, err := l.Accept(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_ = sc.Close()
}

func TestWrongSecret(t *testing.T) {
	trust := testkit.NewTrust(t)
	scfg := testConfig()
	scfg.Insecure, scfg.TLS = false, tls13(trust.Server)
	scfg.Secret = []byte("the listener's secret")
	l, errs := serve(t, scfg)
	dcfg := testConfig()
	dcfg.Insecure, dcfg.TLS = false, tls13(trust.Client)
	dcfg.Secret = []byte("another secret")
	_, err := Dial(context.Background(), l.Addr().String(), dcfg)
	wantErr(t, "dialer", err, ErrAuth)
	lerr, _ := testkit.Recv(t, errs)
	wantErr(t, "listener", lerr, ErrAuth)
}

// The handshake reads exactly the hello: frames the peer sends right after
// it reach the Conn's reader.
func TestHandshakeReadsNoFurther(t *testing.T) {
	cfg := testConfig()
	a, b := net.Pipe()
	p := &rawPeer{t: t, nc: b}
	done := make(chan *Conn, 1)
	go func() {
		c, err := handshake(context.Background(), a, cfg, wire.RoleListener, nil)
		if err != nil {
			t.Error(err)
		}
		done <- c
	}()
	p.readHelloFrame()
	p.write(append(helloFrame(peerHello(cfg, wire.RoleDialer)), dataFrame(MainStream, 0, "early")...))
	c, _ := testkit.Recv(t, done)
	if c == nil {
		t.FailNow()
	}
	defer func() { _ = b.Close(); _ = c.Close() }()
	m, err := c.Stream().Next(context.Background())
	if err != nil || string(m.Value) != "early" {
		t.Fatalf("Next = %q, %v", m.Value, err)
	}
	m.Release()
}
