package conn

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// v1Hello is the hello a netchan end of protocol version 1 sends: magic,
// version, role, codec, capacity, max value, idle timeout, proof.
func v1Hello(role wire.Role) []byte {
	p := append([]byte("netchan"), 1, byte(role))
	p = append(binary.AppendUvarint(p, 4), "cbor"...)
	p = binary.AppendUvarint(p, 2)
	p = binary.AppendUvarint(p, 1024)
	p = binary.AppendUvarint(p, 0)
	p = binary.AppendUvarint(p, 0)
	return frameBytes(wire.KindHello, 0, p)
}

// namesVersions fails unless err says which versions the two ends speak.
func namesVersions(t *testing.T, what string, msg string) {
	t.Helper()
	if !strings.Contains(msg, "version 1") || !strings.Contains(msg, "2") {
		t.Errorf("%s %q does not name both versions", what, msg)
	}
}

// A version-1 dialer reads a refusal that names the versions, in
// plaintext and over TLS, where the listener accepts the first version's
// protocol name for that.
func TestVersion1DialerRefused(t *testing.T) {
	trust := testkit.NewTrust(t)
	for _, secure := range []bool{false, true} {
		name := map[bool]string{false: "plaintext", true: "TLS"}[secure]
		t.Run(name, func(t *testing.T) {
			cfg, pcfg := testConfig(), testConfig()
			if secure {
				cfg.Insecure, cfg.TLS = false, tls13(trust.Server)
				pcfg.Insecure, pcfg.TLS = false, tls13(trust.Client)
			}
			l, errs := serveErrs(t, cfg)
			p, err := dialRaw(t, l.Addr().String(), pcfg, alpnV1)
			if err != nil {
				t.Fatalf("a version-1 dialer's TLS handshake: %v", err)
			}
			if tc, ok := p.nc.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol != alpnV1 {
				t.Fatalf("negotiated %q", tc.ConnectionState().NegotiatedProtocol)
			}
			// A version-1 end sends its hello at once and reads the peer's.
			p.write(v1Hello(wire.RoleDialer))
			g := p.goAway()
			if g.Code != wire.CodeRefused {
				t.Errorf("refusal code %s", g.Code)
			}
			namesVersions(t, "the refusal", g.Reason)
			lerr, _ := testkit.Recv(t, errs)
			wantErr(t, "listener", lerr, ErrHandshake, wire.ErrVersion)
			if lerr != nil {
				namesVersions(t, "the listener's error", lerr.Error())
			}
		})
	}
}

// A version-1 listener, which sends its hello at once, fails Dial with an
// error that names the versions; over TLS, its protocol name does.
func TestVersion1ListenerRefused(t *testing.T) {
	trust := testkit.NewTrust(t)
	for _, secure := range []bool{false, true} {
		name := map[bool]string{false: "plaintext", true: "TLS"}[secure]
		t.Run(name, func(t *testing.T) {
			cfg, pcfg := testConfig(), testConfig()
			if secure {
				cfg.Insecure, cfg.TLS = false, tls13(trust.Client)
				pcfg.Insecure, pcfg.TLS = false, tls13(trust.Server)
			}
			nl := testkit.Loopback(t)
			defer nl.Close()
			dialed := dialAsync(nl.Addr().String(), cfg)
			p, err := acceptRaw(t, nl, pcfg, alpnV1)
			if err == nil {
				drained := p.drain()
				p.tryWrite(v1Hello(wire.RoleListener))
				defer func() { p.close(); <-drained }()
			}
			r, _ := testkit.Recv(t, dialed)
			if r.s != nil {
				_ = r.s.Close()
			}
			wantErr(t, "dialer", r.err, ErrHandshake)
			if !secure && !errors.Is(r.err, wire.ErrVersion) {
				t.Errorf("error %v does not wrap wire.ErrVersion", r.err)
			}
			if r.err != nil {
				namesVersions(t, "the dialer's error", r.err.Error())
			}
		})
	}
}

func tls13(cfg *tls.Config) *tls.Config {
	cfg = cfg.Clone()
	cfg.MinVersion = tls.VersionTLS13
	return cfg
}
