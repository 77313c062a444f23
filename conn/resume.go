package conn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// Redialing: the first attempt after a cut goes at once, after a jitter of
// at most firstJitter so that many dialers cut together do not all come
// back in the same instant; the delay then doubles with each attempt that
// fails, from minRedial up to maxRedial, and starts over after a resume.
const (
	firstJitter = 100 * time.Millisecond
	minRedial   = 100 * time.Millisecond
	maxRedial   = 4 * time.Second
	// lastAttempt is the least time an attempt gets, the last one too.
	lastAttempt = 100 * time.Millisecond
)

// closingAwait bounds how long a listener's session that closes waits for
// its dialer to resume after a cut: long enough for the dialer's first
// few attempts.
const closingAwait = 2 * maxRedial

// errReplaced ends a listener's connection whose dialer resumed on another.
var errReplaced = fmt.Errorf("%w: the dialer resumed on a new connection", ErrConnLost)

// reconnect finds the session a new connection after the last broke with
// why: the dialer dials again, the listener waits for the dialer to. The
// window counts from now. It returns nil once the session is lost, or
// ended meanwhile.
func (s *Session) reconnect(why error) *carrier {
	s.mu.Lock()
	s.cur = nil
	wait := s.window
	if s.resumeClosing {
		// A dialer that did not read this end's goodbye saw the cut and
		// redials at once; one that read it has ended, and never comes.
		wait = min(wait, closingAwait)
	}
	s.mu.Unlock()
	s.cfg.Logger.Info("netchan: connection broken, resuming", "session", fmt.Sprintf("%x", s.id), "err", why)
	var c *carrier
	var err error
	if s.role == wire.RoleDialer {
		c, err = s.redial(time.Now().Add(s.window), why)
	} else {
		c, err = s.await(wait, why)
	}
	if err != nil {
		s.fail(err)
		return nil
	}
	s.mu.Lock()
	s.adoptLocked(c)
	s.resumes++
	s.mu.Unlock()
	s.signal()
	return c
}

// redial dials until a resume succeeds, the listener says it does not
// hold the session, or the window passes.
func (s *Session) redial(deadline time.Time, why error) (*carrier, error) {
	var b backoff
	wait := b.first()
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil, errLost(fmt.Errorf("no resume within the window of %v after %w", s.window, why))
		}
		// Never wait past the window: the last attempt goes as it ends.
		t := time.NewTimer(min(wait, left))
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return nil, s.stopErr()
		}
		c, err := s.resumeOnce(deadline)
		if err == nil {
			return c, nil
		}
		if s.ctx.Err() != nil {
			return nil, s.stopErr()
		}
		if errors.Is(err, ErrSessionLost) || saidFarewell(err) {
			return nil, err
		}
		s.cfg.Logger.Debug("netchan: resume attempt failed", "err", err)
		why = err
		wait = b.next()
	}
}

// backoff is the schedule of one reconnect's attempts; each reconnect
// starts a new one.
type backoff struct{ delay time.Duration }

// first returns the wait before the first attempt: a jitter alone.
func (b *backoff) first() time.Duration { return rand.N(firstJitter) }

// next returns the wait before the attempt after one that failed: the
// delay, doubled from minRedial up to maxRedial, less a random part of
// up to half of it.
func (b *backoff) next() time.Duration {
	b.delay = min(max(2*b.delay, minRedial), maxRedial)
	return b.delay/2 + rand.N(b.delay/2+1)
}

// stopErr is why a resume stopped: the session's end, or why a closing
// session gave up.
func (s *Session) stopErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cmp.Or(s.gaveUp, s.err)
}

// resumeOnce dials once and resumes the session on the new connection,
// by the deadline, or within a moment for an attempt as the window ends.
func (s *Session) resumeOnce(deadline time.Time) (*carrier, error) {
	if d := time.Now().Add(lastAttempt); deadline.Before(d) {
		deadline = d
	}
	if d := time.Now().Add(s.cfg.HandshakeTimeout); d.Before(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(s.ctx, deadline)
	defer cancel()
	nc, err := s.cfg.dial(ctx, s.resumeAddr())
	if err != nil {
		return nil, fmt.Errorf("%w: dial %s: %w", ErrHandshake, s.resumeAddr(), err)
	}
	s.mu.Lock()
	s.counter++
	r := &resumeOf{s: s, counter: s.counter}
	s.mu.Unlock()
	var c *carrier
	var peer wire.Hello
	err = bounded(ctx, nc, func() error {
		var err error
		if c, _, peer, err = dialHandshake(ctx, nc, s.cfg, r); err != nil {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.log.rewind(peer.Received)
	})
	if err != nil {
		_ = nc.Close()
		var g *GoAwayError
		if errors.As(err, &g) && g.Code == GoAwaySessionLost {
			return nil, errLost(err)
		}
		if saidFarewell(err) {
			s.mu.Lock()
			s.byeRead = true
			s.mu.Unlock()
		}
		return nil, err
	}
	return c, nil
}

// resumeAddr is the address a dialer dials to resume: the one its last
// connection says reaches the same listener, if its type can say
// (ResumeAddr() string), or the address it first dialed.
func (s *Session) resumeAddr() string {
	if r, ok := s.lastCarrier().nc.(interface{ ResumeAddr() string }); ok {
		return r.ResumeAddr()
	}
	if r, ok := s.lastCarrier().raw.(interface{ ResumeAddr() string }); ok {
		return r.ResumeAddr()
	}
	return s.addr
}

// await waits for the dialer to resume: for a connection the listener's
// handshake hands over, until the window passes.
func (s *Session) await(wait time.Duration, why error) (*carrier, error) {
	l := s.listener
	if !l.detach(s) {
		return nil, errLost(fmt.Errorf("the listener closed after %w", why))
	}
	defer l.attach(s)
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		s.mu.Lock()
		c := s.next
		s.next = nil
		s.mu.Unlock()
		if c != nil {
			if err := s.completeResume(c); err == nil {
				return c, nil
			} else {
				why = err
			}
			continue
		}
		select {
		case <-s.adopt:
		case <-t.C:
			return nil, errLost(fmt.Errorf("no resume within %v after %w", wait, why))
		case <-s.ctx.Done():
			return nil, s.stopErr()
		}
	}
}

// offer hands a listener's session a connection its dialer resumed on,
// whose hello checked out. A connection the session still has is replaced:
// the dialer would not have dialed again had it not lost it.
func (s *Session) offer(c *carrier) {
	s.mu.Lock()
	old := s.next
	s.next = c
	if s.cur != nil {
		s.cur.fail(errReplaced)
	}
	s.mu.Unlock()
	if old != nil {
		_ = old.nc.Close()
	}
	signal(s.adopt)
}

// completeResume answers a resumed connection with the listener's hello,
// which says how much of the session this end received, now final, since
// the last connection's reader has stopped.
func (s *Session) completeResume(c *carrier) error {
	local, err := s.cfg.hello(c.nc, wire.RoleListener)
	if err == nil {
		local.Session, local.Counter = s.id, c.hello.Counter
		local.Received = s.received.Load()
		local.MAC, err = resumeMAC(s.secret, c.nc, wire.RoleListener, s.id, c.hello.Counter)
	}
	if err == nil {
		_ = c.nc.SetWriteDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
		err = writeHello(c.nc, local)
		_ = c.nc.SetWriteDeadline(time.Time{})
	}
	if err == nil {
		s.mu.Lock()
		err = s.log.rewind(c.hello.Received)
		s.mu.Unlock()
	}
	if err != nil {
		_ = c.nc.Close()
	}
	return err
}
