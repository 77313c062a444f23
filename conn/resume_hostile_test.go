package conn

import (
	"bytes"
	"errors"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// carries fails unless a value the raw peer p sends on the main stream
// with sequence number seq reaches s: p's connection carries the session.
func carries(t *testing.T, s *Session, p *rawPeer, seq uint64) {
	t.Helper()
	p.write(dataFrame(MainStream, seq, "still here"))
	m, err := s.Main().Next(patience(t))
	if err != nil || string(m.Value) != "still here" {
		t.Fatalf("Next = %q, %v", m.Value, err)
	}
	m.Release()
	s.Main().Take()
}

// refusedResume fails unless q's resume was refused with a goaway of
// code, and the listener reported an error that wraps want.
func refusedResume(t *testing.T, q *rawPeer, errs <-chan error, code wire.Code, want error) {
	t.Helper()
	_, err := q.readHello()
	var g *GoAwayError
	if !errors.As(err, &g) || g.Code != GoAwayCode(code) {
		t.Fatalf("a hostile resume was answered with %v, want a refusal with code %s", err, code)
	}
	lerr, _ := testkit.Recv(t, errs)
	wantErr(t, "the listener's report", lerr, want)
}

// A resume of a session id the listener does not hold, guessed or one bit
// off, is refused with CodeSessionLost, so that a dialer reports
// ErrSessionLost at once; the session of the true id goes on.
func TestResumeGuessedSessionID(t *testing.T) {
	cfg := testConfig()
	errs := collectErrors(cfg)
	s, p, l := rawDialer(t, cfg, testConfig(), nil)
	offByOne := bytes.Clone(p.remote.Session)
	offByOne[0] ^= 1
	for _, id := range [][]byte{random(wire.SessionIDSize), offByOne} {
		q, h := p.resumeConn(l.Addr().String(), 1)
		h.Session, h.MAC = id, random(wire.MACSize)
		q.sendHello(h)
		refusedResume(t, q, errs, wire.CodeSessionLost, ErrSessionLost)
	}
	carries(t, s, p, 0)
	if s.Resumes() != 0 {
		t.Fatalf("%d resumes", s.Resumes())
	}
}

// A resume of the right session whose MAC does not fit is refused with
// ErrAuth, whether the session's connection is alive or broken, and takes
// neither the session nor its resume number: the holder then resumes
// with number 1.
func TestResumeMACThatDoesNotFit(t *testing.T) {
	cfg := testConfig()
	errs := collectErrors(cfg)
	s, p, l := rawDialer(t, cfg, testConfig(), nil)
	addr := l.Addr().String()
	forge := []func(h *wire.Hello){
		func(h *wire.Hello) { h.MAC = random(wire.MACSize) },
		func(h *wire.Hello) { h.MAC = nil },
		func(h *wire.Hello) { h.Counter = 2 }, // the MAC is for 1
	}
	for i, edit := range forge {
		q, h := p.resumeConn(addr, 1)
		edit(&h)
		q.sendHello(h)
		refusedResume(t, q, errs, wire.CodeRefused, ErrAuth)
		if i == 0 {
			carries(t, s, p, 0)
		}
	}
	// Now with the session's connection broken.
	p.reset()
	testkit.Eventually(t, "the listener to see the cut", func() bool { return detached(l, s) })
	q, h := p.resumeConn(addr, 1)
	h.MAC = random(wire.MACSize)
	q.sendHello(h)
	refusedResume(t, q, errs, wire.CodeRefused, ErrAuth)

	q, h = p.resumeConn(addr, 1)
	q.sendHello(h)
	if err := q.resumed(1); err != nil {
		t.Fatalf("the holder's resume: %v", err)
	}
	carries(t, s, q, 1)
	testkit.Eventually(t, "one resume", func() bool { return s.Resumes() == 1 })
}

// detached reports whether l holds s waiting for a resume.
func detached(l *Listener, s *Session) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range l.detached {
		if d == s {
			return true
		}
	}
	return false
}
