package conn

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// tlsConfigs returns a listener's and a dialer's configuration over TLS,
// with the secret each knows (nil for none).
func tlsConfigs(trust *testkit.Trust, lsecret, dsecret string) (lcfg, dcfg *Config) {
	lcfg, dcfg = testConfig(), testConfig()
	lcfg.Insecure, lcfg.TLS = false, tls13(trust.Server)
	dcfg.Insecure, dcfg.TLS = false, tls13(trust.Client)
	if lsecret != "" {
		lcfg.Secret = []byte(lsecret)
	}
	if dsecret != "" {
		dcfg.Secret = []byte(dsecret)
	}
	return lcfg, dcfg
}

func TestTLSHandshake(t *testing.T) {
	lcfg, dcfg := tlsConfigs(testkit.NewTrust(t), "shared", "shared")
	p := connect(t, lcfg, dcfg, nil)
	for _, s := range []*Session{p.d, p.a} {
		if st := s.ConnectionState(); st.NegotiatedProtocol != ALPN || st.Version != tls.VersionTLS13 {
			t.Errorf("TLS state %+v", st)
		}
	}
	ctx := patience(t)
	if err := sendInts(ctx, p.d.Main(), 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := recvInts(ctx, p.a.Main(), 0, 1); err != nil {
		t.Fatal(err)
	}
}

// A secret that one end lacks, or that differs, fails both ends with
// ErrAuth.
func TestSecretRefusals(t *testing.T) {
	trust := testkit.NewTrust(t)
	for _, tc := range []struct{ name, lsecret, dsecret string }{
		{"wrong", "the listener's", "another"},
		{"dialer has none", "the listener's", ""},
		{"listener has none", "", "the dialer's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lcfg, dcfg := tlsConfigs(trust, tc.lsecret, tc.dsecret)
			l, errs := serveErrs(t, lcfg)
			r, _ := testkit.Recv(t, dialAsync(l.Addr().String(), dcfg))
			if r.s != nil {
				_ = r.s.Close()
			}
			wantErr(t, "dialer", r.err, ErrAuth)
			lerr, _ := testkit.Recv(t, errs)
			wantErr(t, "listener", lerr, ErrAuth)
		})
	}
}

func TestTLSDialerPlaintextListener(t *testing.T) {
	l, errs := serveErrs(t, testConfig())
	_, dcfg := tlsConfigs(testkit.NewTrust(t), "", "")
	r, _ := testkit.Recv(t, dialAsync(l.Addr().String(), dcfg))
	wantErr(t, "TLS dialer", r.err, ErrHandshake)
	if r.err != nil && !strings.Contains(r.err.Error(), "does not speak TLS") {
		t.Errorf("dialer's error %q does not say the listener lacks TLS", r.err)
	}
	lerr, _ := testkit.Recv(t, errs)
	wantErr(t, "plaintext listener", lerr, ErrHandshake)
	if lerr != nil && !strings.Contains(lerr.Error(), "TLS") {
		t.Errorf("listener's error %q does not say the dialer spoke TLS", lerr)
	}
}

func TestPlaintextDialerTLSListener(t *testing.T) {
	lcfg, _ := tlsConfigs(testkit.NewTrust(t), "", "")
	l, errs := serveErrs(t, lcfg)
	r, _ := testkit.Recv(t, dialAsync(l.Addr().String(), testConfig()))
	wantErr(t, "plaintext dialer", r.err, ErrHandshake)
	t.Logf("dialer: %v", r.err) // EOF or a reset, depending on timing
	lerr, _ := testkit.Recv(t, errs)
	wantErr(t, "TLS listener", lerr, ErrHandshake)
	if lerr != nil && !strings.Contains(lerr.Error(), "does not speak TLS") {
		t.Errorf("listener's error %q does not say the dialer lacks TLS", lerr)
	}
}
