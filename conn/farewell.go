package conn

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// A dialer that closes its session waits for the listener's goodbye, which
// follows the listener's ack of everything it read, the dialer's goodbye
// included; cut before it comes, the dialer resumes (CloseContext). The
// listener may have read that goodbye and ended the session, and only the
// answer was lost: then a resume must not hear that the session is lost,
// which would make the dialer report values the listener's program has.
// So a listener remembers, for the resume window, each session whose
// dialer's goodbye it read, and answers a resume of it, once proven, with
// a goodbye of code normal: every frame arrived. It remembers a bounded
// number, forgetting those closest to expiry first.

// farewell is what a listener keeps of a session its dialer closed.
type farewell struct {
	secret []byte
	until  time.Time
}

// errFarewell answers a resume of a session whose dialer's goodbye the
// listener read. It is no failure, and not reported as one.
var errFarewell = fmt.Errorf("%w: the session ended by the dialer's goodbye, which arrived", ErrClosed)

// maxFarewells bounds the sessions a listener remembers so, when the
// configuration does not: the detached sessions' bound.
const maxFarewells = 1024

// remember keeps s, which ended, if its dialer's goodbye arrived.
func (l *Listener) remember(s *Session) {
	s.mu.Lock()
	bye := s.peerBye != nil && s.peerBye.Code == wire.CodeNormal && s.window > 0
	s.mu.Unlock()
	if !bye {
		return
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	// At the bound, the session closest to expiry is forgotten, not this
	// one: its dialer, which closed last, is the likeliest to resume yet.
	limit := l.cfg.MaxDetached
	if limit <= 0 {
		limit = maxFarewells
	}
	oldest, first := "", time.Time{}
	for id, f := range l.farewells {
		switch {
		case now.After(f.until):
			delete(l.farewells, id)
		case oldest == "" || f.until.Before(first):
			oldest, first = id, f.until
		}
	}
	if len(l.farewells) >= limit {
		delete(l.farewells, oldest)
	}
	l.farewells[string(s.id)] = farewell{secret: s.secret, until: now.Add(s.window)}
}

// farewell answers a resume of a session the listener does not hold: with
// errFarewell if its dialer's goodbye arrived and the resume proves it
// holds the session; false if the listener knows nothing of it.
func (l *Listener) farewell(nc net.Conn, peer wire.Hello) (bool, error) {
	l.mu.Lock()
	f, ok := l.farewells[string(peer.Session)]
	l.mu.Unlock()
	if !ok || time.Now().After(f.until) {
		return false, nil
	}
	if err := proveResume(f.secret, nc, peer); err != nil {
		return true, err
	}
	return true, errFarewell
}

// saidFarewell reports whether err is a listener's answer that this
// end's goodbye arrived.
func saidFarewell(err error) bool {
	var g *GoAwayError
	return errors.As(err, &g) && g.Code == GoAwayNormal
}
