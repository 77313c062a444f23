package conn

import (
	"bytes"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// A listener that answers a resume with the session's id but cannot prove
// it holds the session (it knows the id, not the secret) is refused: the
// dialer keeps its session and resumes with the true listener.
func TestDialerRefusesImpostor(t *testing.T) {
	l := serve(t, testConfig())
	impostor := testkit.Loopback(t)
	defer impostor.Close()
	r := &router{route: func(n int) string {
		if n == 1 {
			return impostor.Addr().String()
		}
		return l.Addr().String()
	}}
	dcfg := testConfig()
	dcfg.Dialer = r.dial
	ctx := patience(t)
	d, err := Dial(ctx, "listener", dcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	r.reset()

	q, err := acceptRaw(t, impostor, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	h, err := q.readHello()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h.Session, d.id) || h.Counter != 1 || len(h.MAC) != wire.MACSize || len(h.Nonce) != 0 {
		t.Fatalf("the dialer's resume hello %+v", h)
	}
	answer := q.hello()
	answer.Nonce = nil
	answer.Session, answer.Counter, answer.MAC = h.Session, h.Counter, random(wire.MACSize)
	q.sendHello(answer)
	if g := q.goAway(); g.Code != wire.CodeRefused {
		t.Errorf("the dialer refused the impostor with code %s", g.Code)
	}
	if err := exchange(ctx, d.Main(), a.Main(), 10); err != nil {
		t.Fatal(err)
	}
	if d.Resumes() != 1 || a.Resumes() != 1 || r.dials() != 3 {
		t.Fatalf("%d and %d resumes after %d dials", d.Resumes(), a.Resumes(), r.dials())
	}
}
