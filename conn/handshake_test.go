package conn

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// fieldsConfig is testConfig with a distinct value in every field a hello
// carries.
func fieldsConfig() *Config {
	cfg := testConfig()
	cfg.Capacity = 5
	cfg.MaxValue = 4096
	cfg.IdleTimeout = 3 * time.Second
	cfg.ResumeWindow = 7 * time.Second
	cfg.MaxStreams = 9
	cfg.TypeName, cfg.TypeShape = "main.Job", "S"
	return cfg
}

// checkSettings fails unless h carries what fieldsConfig says, for role.
func checkSettings(t *testing.T, h wire.Hello, role wire.Role) {
	t.Helper()
	if h.Version != wire.Version || h.Role != role || h.Codec != "cbor" || h.Capacity != 5 ||
		h.MaxValue != 4096 || h.Idle != 3000 || h.Window != 7000 || h.MaxStreams != 9 ||
		h.TypeName != "main.Job" || h.TypeShape != "S" || len(h.Proof) != 0 {
		t.Errorf("%s's hello %+v", role, h)
	}
	if h.Counter != 0 || len(h.MAC) != 0 || h.Received != 0 || len(h.Nonce) != wire.NonceSize {
		t.Errorf("%s's hello starting a session: counter %d, MAC %x, received %d, nonce %x",
			role, h.Counter, h.MAC, h.Received, h.Nonce)
	}
}

func TestHandshakeDialerHello(t *testing.T) {
	s, p := rawListener(t, fieldsConfig(), testConfig(), nil)
	checkSettings(t, p.remote, wire.RoleDialer)
	if len(p.remote.Session) != 0 {
		t.Errorf("a dialer's hello for a new session names session %x", p.remote.Session)
	}
	if !bytes.Equal(s.id, p.local.Session) {
		t.Errorf("the dialer's session has id %x, the listener gave %x", s.id, p.local.Session)
	}
}

func TestHandshakeListenerHello(t *testing.T) {
	_, p1, l := rawDialer(t, fieldsConfig(), testConfig(), nil)
	checkSettings(t, p1.remote, wire.RoleListener)
	if len(p1.remote.Session) != wire.SessionIDSize {
		t.Fatalf("the listener's hello gives session id %x", p1.remote.Session)
	}
	// A second session gets another id and nonce.
	p2, err := dialRaw(t, l.Addr().String(), testConfig())
	if err != nil {
		t.Fatal(err)
	}
	p2.sendHello(p2.hello())
	h2, err := p2.readHello()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := l.Accept(patience(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	defer p2.close()
	if bytes.Equal(h2.Session, p1.remote.Session) || bytes.Equal(h2.Nonce, p1.remote.Nonce) {
		t.Errorf("two sessions with id %x and nonce %x", h2.Session, h2.Nonce)
	}
}

// The smaller offer wins: capacity, resume window; each end keeps the
// peer's own limits.
func TestHandshakeSmallerWins(t *testing.T) {
	for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
		t.Run(role.String(), func(t *testing.T) {
			cfg := testConfig()
			cfg.Capacity, cfg.ResumeWindow = 8, 5*time.Second
			pcfg := testConfig()
			pcfg.Capacity, pcfg.ResumeWindow, pcfg.MaxValue = 3, 2*time.Second, 777
			s := sessionAs(t, role, cfg, pcfg, nil)
			if s.Capacity() != 3 || s.ResumeWindow() != 2*time.Second || s.PeerMaxValue() != 777 {
				t.Errorf("capacity %d, window %v, peer max value %d", s.Capacity(), s.ResumeWindow(), s.PeerMaxValue())
			}
			pcfg.Capacity, pcfg.ResumeWindow = 0, 0
			s = sessionAs(t, role, cfg, pcfg, nil)
			if s.Capacity() != 0 || s.ResumeWindow() != 0 {
				t.Errorf("capacity %d, window %v after offers of 0", s.Capacity(), s.ResumeWindow())
			}
		})
	}
}

// sessionAs returns a Session of cfg in role, handshaken with a raw peer
// of pcfg, whose hello edit changes.
func sessionAs(t *testing.T, role wire.Role, cfg, pcfg *Config, edit func(*wire.Hello)) *Session {
	t.Helper()
	s, _ := sessionAndPeer(t, role, cfg, pcfg, edit)
	return s
}

// sessionAndPeer returns a Session of cfg in role and the raw peer of
// pcfg it handshook with, whose hello edit changes.
func sessionAndPeer(t testing.TB, role wire.Role, cfg, pcfg *Config, edit func(*wire.Hello)) (*Session, *rawPeer) {
	t.Helper()
	if role == wire.RoleDialer {
		return rawListener(t, cfg, pcfg, edit)
	}
	s, p, _ := rawDialer(t, cfg, pcfg, edit)
	return s, p
}

// A hello echoed back has the Session's own role: refused.
func TestHandshakeReflectedHello(t *testing.T) {
	nl := testkit.Loopback(t)
	defer nl.Close()
	dialed := dialAsync(nl.Addr().String(), testConfig())
	p, err := acceptRaw(t, nl, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	h, err := p.readHello()
	if err != nil {
		t.Fatal(err)
	}
	p.sendHello(h)
	r, _ := testkit.Recv(t, dialed)
	wantErr(t, "reflected hello", r.err, ErrHandshake)
	if r.err != nil && !strings.Contains(r.err.Error(), "dialer too") {
		t.Errorf("error %q does not name the reflected role", r.err)
	}
	if g := p.goAway(); g.Code != wire.CodeRefused {
		t.Errorf("refusal with code %s", g.Code)
	}
}

// The listener speaks only once it read the dialer's hello, which may
// resume a session.
func TestHandshakeListenerWaitsForHello(t *testing.T) {
	l := serve(t, testConfig())
	p, err := dialRaw(t, l.Addr().String(), testConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Had the listener sent its hello at once, it would be here by now.
	_ = p.nc.SetReadDeadline(time.Now().Add(testkit.Settle))
	if n, _ := p.nc.Read(make([]byte, 1)); n != 0 {
		t.Fatal("the listener spoke before the dialer's hello")
	}
	p.sendHello(p.hello())
	if _, err := p.readHello(); err != nil {
		t.Fatal(err)
	}
	s, err := l.Accept(patience(t))
	if err != nil {
		t.Fatal(err)
	}
	p.close()
	_ = s.Close()
}

// The handshake reads exactly the hello: frames the peer sends right
// after it, in the same write, reach the session.
func TestHandshakeReadsNoFurther(t *testing.T) {
	ctx := patience(t)
	for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
		t.Run(role.String(), func(t *testing.T) {
			var early []byte
			peerStream := uint32(3)
			if role == wire.RoleDialer {
				peerStream = 2
			}
			early = append(early, dataFrame(MainStream, 0, "early")...)
			early = append(early, openFrame(peerStream, 1, "meta")...)
			s := sessionWithEarlyFrames(t, role, early)
			m, err := s.Main().Next(ctx)
			if err != nil || string(m.Value) != "early" {
				t.Fatalf("Next = %q, %v", m.Value, err)
			}
			m.Release()
			st, err := s.Accept(ctx)
			if err != nil || st.ID() != peerStream || string(st.Meta()) != "meta" {
				t.Fatalf("Accept = %v, %v", st, err)
			}
		})
	}
}

// sessionWithEarlyFrames handshakes a Session in role with a raw peer
// that writes early in the same write as its hello.
func sessionWithEarlyFrames(t *testing.T, role wire.Role, early []byte) *Session {
	t.Helper()
	cfg := testConfig()
	if role == wire.RoleListener {
		l := serve(t, cfg)
		p, err := dialRaw(t, l.Addr().String(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		h := p.hello()
		p.local = h
		p.write(append(helloFrame(h), early...))
		s, err := l.Accept(patience(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		t.Cleanup(p.close)
		return s
	}
	nl := testkit.Loopback(t)
	t.Cleanup(func() { _ = nl.Close() })
	dialed := dialAsync(nl.Addr().String(), cfg)
	p, err := acceptRaw(t, nl, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.readHello(); err != nil {
		t.Fatal(err)
	}
	h := p.hello()
	p.local = h
	p.write(append(helloFrame(h), early...))
	r, _ := testkit.Recv(t, dialed)
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { _ = r.s.Close() })
	t.Cleanup(p.close)
	return r.s
}
