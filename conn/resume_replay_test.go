package conn

import (
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// A resume hello captured on one connection and replayed on another is
// refused: over TLS its MAC is bound to the keying material of the
// connection it was made for. On that connection it works.
func TestResumeReplayedOnAnotherConnection(t *testing.T) {
	lcfg, dcfg := tlsConfigs(testkit.NewTrust(t), "", "")
	errs := collectErrors(lcfg)
	s, p, l := rawDialer(t, lcfg, dcfg, nil)
	addr := l.Addr().String()
	a, captured := p.resumeConn(addr, 1)
	b, _ := p.resumeConn(addr, 1)
	b.sendHello(captured)
	refusedResume(t, b, errs, wire.CodeRefused, ErrAuth)
	carries(t, s, p, 0)

	a.sendHello(captured)
	if err := a.resumed(1); err != nil {
		t.Fatalf("the hello on its own connection: %v", err)
	}
	carries(t, s, a, 1)
}

// A resume number is accepted once, in increasing order: a genuine MAC
// for a number already used, or a lower one, is refused.
func TestResumeReplayedCounter(t *testing.T) {
	lcfg, dcfg := tlsConfigs(testkit.NewTrust(t), "", "")
	errs := collectErrors(lcfg)
	s, p, l := rawDialer(t, lcfg, dcfg, nil)
	addr := l.Addr().String()
	a, h := p.resumeConn(addr, 2)
	a.sendHello(h)
	if err := a.resumed(2); err != nil {
		t.Fatal(err)
	}
	for _, counter := range []uint64{2, 1} {
		b, h := a.resumeConn(addr, counter)
		b.sendHello(h)
		refusedResume(t, b, errs, wire.CodeRefused, ErrAuth)
	}
	carries(t, s, a, 0)
	c, h := a.resumeConn(addr, 3)
	c.sendHello(h)
	if err := c.resumed(3); err != nil {
		t.Fatal(err)
	}
	carries(t, s, c, 1)
}

// With Insecure(), a MAC binds to no connection, and a party that saw the
// traffic can replay a resume hello byte for byte: its number, used, is
// refused, whether the session's connection is alive or broken.
func TestResumeReplayInsecure(t *testing.T) {
	cfg := testConfig()
	errs := collectErrors(cfg)
	s, p, l := rawDialer(t, cfg, testConfig(), nil)
	addr := l.Addr().String()
	a, h := p.resumeConn(addr, 1)
	captured := helloFrame(h)
	a.local = h
	a.write(captured)
	if err := a.resumed(1); err != nil {
		t.Fatal(err)
	}
	replay := func() {
		t.Helper()
		b, err := dialRaw(t, addr, testConfig())
		if err != nil {
			t.Fatal(err)
		}
		b.write(captured)
		refusedResume(t, b, errs, wire.CodeRefused, ErrAuth)
	}
	replay()
	carries(t, s, a, 0)
	a.reset()
	testkit.Eventually(t, "the listener to see the cut", func() bool { return detached(l, s) })
	replay()
	c, h := a.resumeConn(addr, 2)
	c.sendHello(h)
	if err := c.resumed(2); err != nil {
		t.Fatal(err)
	}
	carries(t, s, c, 1)
}
