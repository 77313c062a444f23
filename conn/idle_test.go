package conn

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// An end whose peer has an idle timeout pings it while it has nothing to
// say, both roles.
func TestPingsForThePeersIdleTimeout(t *testing.T) {
	for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
		t.Run(role.String(), func(t *testing.T) {
			pcfg := testConfig()
			pcfg.IdleTimeout = 300 * time.Millisecond
			_, p := sessionAndPeer(t, role, testConfig(), pcfg, nil)
			for range 2 {
				if f := p.expect(wire.KindPing); len(f.Payload) != 0 || f.Stream != 0 {
					t.Fatalf("ping %+v", f)
				}
			}
		})
	}
}

// An end with an idle timeout ends a connection on which nothing arrives,
// with a timeout.
func TestIdleTimeoutEndsASilentConnection(t *testing.T) {
	cfg := noResume()
	cfg.IdleTimeout = 200 * time.Millisecond
	s, p, _ := rawDialer(t, cfg, noResume(), nil)
	bye := p.drain()
	err := ended(t, s)
	wantErr(t, "silent peer", err, ErrConnLost)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v is not a timeout", err)
	}
	<-bye
}
