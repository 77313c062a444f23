package conn

import (
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// A listener that remembers as many closed sessions as it may forgets the
// one closest to expiry for a new one: the dialer that closed last is the
// likeliest to resume yet, and refused, it would hear that its session is
// lost and report values the listener's program has.
func TestFarewellsAtTheBoundForgetTheOldest(t *testing.T) {
	cfg := testConfig()
	cfg.MaxDetached = 2
	l, err := Serve(testkit.Loopback(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	closed := func(id string, window time.Duration) *Session {
		return &Session{id: []byte(id), secret: []byte("secret " + id), window: window,
			peerBye: &wire.GoAway{Code: wire.CodeNormal}}
	}
	// b expires first, though a came first.
	l.remember(closed("a", 2*time.Hour))
	l.remember(closed("b", time.Hour))
	l.remember(closed("c", time.Hour))
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if _, ok := l.farewells[id]; ok != want {
			t.Errorf("session %s remembered: %v, want %v", id, ok, want)
		}
	}
	if n := len(l.farewells); n != 2 {
		t.Errorf("%d sessions remembered, want the bound, 2", n)
	}
}
