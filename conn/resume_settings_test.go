package conn

import (
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// A session whose resume window is 0 takes no resume, even from the
// holder of its secret.
func TestNoResumeWithoutAWindow(t *testing.T) {
	cfg := testConfig()
	errs := collectErrors(cfg)
	s, p, l := rawDialer(t, cfg, noResume(), nil)
	if s.ResumeWindow() != 0 {
		t.Fatalf("window %v", s.ResumeWindow())
	}
	q, h := p.resumeConn(l.Addr().String(), 1)
	q.sendHello(h)
	refusedResume(t, q, errs, wire.CodeSessionLost, ErrSessionLost)
}

// A listener that answers a resume with settings other than those of the
// session's start, though it proves it holds the session, is refused: the
// dialer keeps trying, and resumes once the listener answers as before.
func TestDialerChecksResumedSettings(t *testing.T) {
	nl := testkit.Loopback(t)
	defer nl.Close()
	cfg := testConfig()
	dialed := dialAsync(nl.Addr().String(), cfg)
	p, err := acceptRaw(t, nl, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.readHello(); err != nil {
		t.Fatal(err)
	}
	first := p.hello()
	p.sendHello(first)
	p.deriveSecret()
	r, _ := testkit.Recv(t, dialed)
	if r.err != nil {
		t.Fatal(r.err)
	}
	d := r.s
	// A cleanup runs after those of the raw listener's later connections:
	// Close need not linger for them.
	t.Cleanup(func() { _ = d.Close() })
	p.reset()

	for i, edit := range []func(h *wire.Hello){
		func(h *wire.Hello) { h.Window = uint64(time.Hour.Milliseconds()) },
		func(h *wire.Hello) { h.TypeShape = "s" },
		func(*wire.Hello) {},
	} {
		q, err := acceptRaw(t, nl, testConfig())
		if err != nil {
			t.Fatal(err)
		}
		h, err := q.readHello()
		if err != nil {
			t.Fatal(err)
		}
		answer := honestHello(testConfig(), wire.RoleListener)
		answer.Session, answer.Counter = first.Session, h.Counter
		if answer.MAC, err = resumeMAC(p.secret, q.nc, wire.RoleListener, first.Session, h.Counter); err != nil {
			t.Fatal(err)
		}
		edit(&answer)
		q.sendHello(answer)
		if i < 2 {
			if g := q.goAway(); g.Code != wire.CodeRefused {
				t.Errorf("answer %d refused with code %s", i, g.Code)
			}
			continue
		}
		testkit.Eventually(t, "the resume", func() bool { return d.Resumes() == 1 })
	}
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
}
