package conn

import (
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// A session over mutual TLS with a shared secret resumes through cuts: each
// resumed connection runs the same trust as the first, and proves it
// holds the session.
func TestResumeOverTLS(t *testing.T) {
	trust := testkit.NewTrust(t)
	lcfg, dcfg := tlsConfigs(trust, "shared", "shared")
	lcfg.TLS, dcfg.TLS = tls13(trust.MutualServer), tls13(trust.MutualClient)
	var proxy *testkit.Proxy
	p := connect(t, lcfg, dcfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	ctx := patience(t)
	done := make(chan error, 1)
	go func() { done <- exchangeValues(ctx, p.d.Main(), p.a.Main(), 300, cutValue) }()
	for range 3 {
		if !cutAfter(t, proxy, 20000, testkit.Either, testkit.RST, done) {
			break
		}
	}
	proxy.CutAfter(1<<62, testkit.Either, testkit.RST) // disarm
	if err, _ := testkit.Recv(t, done); err != nil {
		t.Fatal(err)
	}
	if p.d.Resumes() == 0 {
		t.Fatal("no resume")
	}
	if st := p.a.ConnectionState(); len(st.PeerCertificates) == 0 {
		t.Error("the listener's connection after a resume has no client certificate")
	}
}
