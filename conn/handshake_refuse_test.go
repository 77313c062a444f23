package conn

import (
	"strings"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// refusal is how a handshake with a raw peer failed: the Session's error
// (Dial's, or the one its Listener reported) and the goaway the raw peer
// read.
type refusal struct {
	err error
	bye wire.GoAway
}

// refusedBy runs a handshake of a Session of cfg in role with a raw peer
// of pcfg whose hello edit changes, which the Session must refuse.
func refusedBy(t *testing.T, role wire.Role, cfg, pcfg *Config, edit func(*wire.Hello)) refusal {
	t.Helper()
	if role == wire.RoleListener {
		l, errs := serveErrs(t, cfg)
		p, err := dialRaw(t, l.Addr().String(), pcfg)
		if err != nil {
			t.Fatal(err)
		}
		h := p.hello()
		edit(&h)
		p.sendHello(h)
		bye := p.goAway()
		err, _ = testkit.Recv(t, errs)
		return refusal{err, bye}
	}
	nl := testkit.Loopback(t)
	defer nl.Close()
	dialed := dialAsync(nl.Addr().String(), cfg)
	p, err := acceptRaw(t, nl, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.readHello(); err != nil {
		t.Fatal(err)
	}
	h := p.hello()
	edit(&h)
	p.sendHello(h)
	bye := p.goAway()
	r, _ := testkit.Recv(t, dialed)
	if r.s != nil {
		_ = r.s.Close()
	}
	return refusal{r.err, bye}
}

func TestHandshakeRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(h *wire.Hello)
		want error
	}{
		{"codec", func(h *wire.Hello) { h.Codec = "gob" }, ErrCodecMismatch},
		{"role", func(h *wire.Hello) { h.Role = 3 - h.Role }, ErrHandshake},
		{"max value zero", func(h *wire.Hello) { h.MaxValue = 0 }, ErrHandshake},
		{"proof without a secret", func(h *wire.Hello) { h.Proof = make([]byte, 32) }, ErrAuth},
		{"type shape", func(h *wire.Hello) { h.TypeName, h.TypeShape = "string", "s" }, ErrTypeMismatch},
	} {
		for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
			t.Run(tc.name+"/"+role.String(), func(t *testing.T) {
				cfg := testConfig()
				cfg.TypeName, cfg.TypeShape = "main.Job", "S"
				r := refusedBy(t, role, cfg, testConfig(), tc.edit)
				wantErr(t, tc.name, r.err, tc.want)
				if r.bye.Code != wire.CodeRefused {
					t.Errorf("refusal code %s, want %s", r.bye.Code, wire.CodeRefused)
				}
			})
		}
	}
}

// A type mismatch names both types, at both ends.
func TestHandshakeTypeMismatchNamesBoth(t *testing.T) {
	lcfg := testConfig()
	lcfg.TypeName, lcfg.TypeShape = "main.Job", "S"
	l, errs := serveErrs(t, lcfg)
	dcfg := testConfig()
	dcfg.TypeName, dcfg.TypeShape = "string", "s"
	r, _ := testkit.Recv(t, dialAsync(l.Addr().String(), dcfg))
	lerr, _ := testkit.Recv(t, errs)
	for what, err := range map[string]error{"dialer": r.err, "listener": lerr} {
		wantErr(t, what, err, ErrTypeMismatch)
		if err != nil && (!strings.Contains(err.Error(), "main.Job") || !strings.Contains(err.Error(), "string")) {
			t.Errorf("%s's error %q does not name both types", what, err)
		}
	}
}

// Shapes that a codec reconciles agree, and an end that carries anything
// agrees with every type.
func TestHandshakeTypesThatAgree(t *testing.T) {
	for _, tc := range []struct{ local, peer string }{
		{"S", "S"},   // a struct with a field added
		{"i", "i"},   // int8 and uint64
		{"S", "?"},   // any
		{"", "[s"},   // no type at all
		{"mss", "?"}, // a map and anything
	} {
		cfg := testConfig()
		cfg.TypeName, cfg.TypeShape = "local", tc.local
		s := sessionAs(t, wire.RoleListener, cfg, testConfig(), func(h *wire.Hello) { h.TypeName, h.TypeShape = "peer", tc.peer })
		if s.PeerType() != "peer" {
			t.Errorf("PeerType() = %q", s.PeerType())
		}
	}
}
