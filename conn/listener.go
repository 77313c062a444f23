package conn

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// Listener accepts netchan sessions. Each incoming connection runs its
// handshake in a goroutine of its own, so a peer that never finishes one
// delays nobody else; the handshake timeout ends it. A connection that
// resumes a session the listener holds goes to that session, not to
// Accept.
//
// All methods are safe for concurrent use. Close stops the listener's
// goroutines and waits for them; sessions already returned by Accept
// belong to the caller.
type Listener struct {
	nl  net.Listener
	cfg *Config

	ready    chan *Session // sessions handshaken, waiting for Accept
	ctx      context.Context
	cancel   context.CancelFunc // ends ctx: closing, or the accept loop failed
	done     <-chan struct{}    // ctx.Done()
	once     gosync.Once
	wg       gosync.WaitGroup
	open     atomic.Int64  // sessions alive
	shaking  atomic.Int64  // handshakes under way
	refusing chan struct{} // a slot per refusal in progress

	mu        gosync.Mutex
	sessions  map[string]*Session // every session not ended, by id
	farewells map[string]farewell // sessions their dialers closed, by id
	detached  []*Session          // sessions waiting for a resume, longest first
	closed    bool
	err       error // why the accept loop stopped
}

// Listen listens on addr ("host:port") over TCP.
func Listen(ctx context.Context, addr string, cfg *Config) (*Listener, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	nl, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("netchan: listen on %s: %w", addr, err)
	}
	return Serve(nl, cfg)
}

// Serve accepts netchan sessions on nl, which the Listener then owns.
func Serve(nl net.Listener, cfg *Config) (*Listener, error) {
	if err := cfg.Check(); err != nil {
		_ = nl.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Listener{
		nl:        nl,
		cfg:       cfg.forListen(),
		ready:     make(chan *Session),
		refusing:  make(chan struct{}, maxRefusing),
		ctx:       ctx,
		cancel:    cancel,
		done:      ctx.Done(),
		sessions:  map[string]*Session{},
		farewells: map[string]farewell{},
	}
	l.wg.Go(l.acceptLoop)
	return l, nil
}

// Addr returns the address the listener listens on.
func (l *Listener) Addr() net.Addr { return l.nl.Addr() }

// Accept waits for the next session that completed its handshake.
func (l *Listener) Accept(ctx context.Context) (*Session, error) {
	select {
	case s := <-l.ready:
		return s, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case <-l.done:
		return nil, l.stopErr()
	}
}

// Done is closed when the listener has been closed.
func (l *Listener) Done() <-chan struct{} { return l.done }

// Close stops accepting, ends handshakes in progress, sessions not yet
// accepted and sessions waiting for a resume that can no longer come, and
// waits for the listener's goroutines. It is idempotent.
func (l *Listener) Close() error {
	l.once.Do(func() {
		l.cancel()
		_ = l.nl.Close()
	})
	l.wg.Wait()
	l.mu.Lock()
	l.closed = true
	detached := l.detached
	l.detached = nil
	l.mu.Unlock()
	for _, s := range detached {
		s.fail(errLost(errors.New("the listener closed")))
	}
	return nil
}

func (l *Listener) stopErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	return ErrClosed
}

func (l *Listener) acceptLoop() {
	var backoff time.Duration
	for {
		nc, err := l.nl.Accept()
		if err != nil {
			select {
			case <-l.done:
				return
			default:
			}
			if passing(err) {
				// Out of file descriptors, say: wait for some to close,
				// longer each time, rather than spin or give up.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				l.report(fmt.Errorf("netchan: accept (retrying in %v): %w", backoff, err))
				select {
				case <-time.After(backoff):
				case <-l.done:
					return
				}
				continue
			}
			l.mu.Lock()
			l.err = fmt.Errorf("netchan: accept: %w", err)
			l.mu.Unlock()
			l.cancel()
			return
		}
		backoff = 0
		if max := l.cfg.MaxConns; max > 0 && l.shaking.Load() >= int64(max) {
			// As many handshakes under way as sessions allowed: a flood.
			l.report(fmt.Errorf("%w: %d handshakes under way, refusing %s", ErrLimit, max, nc.RemoteAddr()))
			l.refuse(nc)
			continue
		}
		l.shaking.Add(1)
		l.wg.Go(func() { l.serve(nc) })
	}
}

// serve runs one handshake: a new session goes to Accept, a resume to its
// session.
func (l *Listener) serve(nc net.Conn) {
	ctx, cancel := context.WithTimeout(l.ctx, l.cfg.HandshakeTimeout)
	defer cancel()
	var s *Session
	var c *carrier
	err := bounded(ctx, nc, func() error {
		var err error
		s, c, err = l.handshake(ctx, nc)
		return err
	})
	l.shaking.Add(-1)
	if err != nil {
		if c != nil && c.hello.Session == nil {
			// The listener closed as the handshake finished: the dialer
			// may hold a session already, which must end rather than wait
			// to resume.
			_ = nc.SetDeadline(soon())
			refuse(c.nc, fmt.Errorf("%w: listener closed", ErrClosed))
		}
		_ = nc.Close()
		select {
		case <-l.done:
		default:
			if !errors.Is(err, errFarewell) {
				l.report(withPeer(err, nc.RemoteAddr().String()))
			}
		}
		return
	}
	if c.hello.Session != nil {
		s.offer(c)
		return
	}
	s.start(c)
	select {
	case l.ready <- s:
	case <-l.done:
		s.fail(fmt.Errorf("%w: listener closed", ErrClosed))
		<-s.done
	}
}

// handshake secures nc and reads the dialer's hello. It answers a new
// session with its own hello and returns the session; it checks a resume
// and returns the session it resumes, whose goroutine answers it.
func (l *Listener) handshake(ctx context.Context, nc net.Conn) (*Session, *carrier, error) {
	sc, err := secure(ctx, nc, l.cfg, wire.RoleListener)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(sc, readBuffer)
	peer, err := readHello(br, sc, l.cfg)
	if err == nil && len(peer.Session) > 0 {
		var s *Session
		if s, err = l.resumed(sc, peer); err == nil {
			c := newCarrier(sc, nc, br)
			c.hello = peer
			return s, c, nil
		}
	}
	local := wire.Hello{}
	if err == nil {
		local, err = l.cfg.hello(sc, wire.RoleListener)
		local.Session, local.Nonce = random(wire.SessionIDSize), random(wire.NonceSize)
	}
	// The session counts as open from here, so that handshakes under way
	// at once cannot together pass MaxConns.
	counted := err == nil
	if counted {
		if n, max := l.open.Add(1), l.cfg.MaxConns; max > 0 && n > int64(max) {
			err = fmt.Errorf("%w: %d sessions open, refusing %s", ErrLimit, max, sc.RemoteAddr())
		}
	}
	if err == nil {
		err = writeHello(sc, local)
	}
	if err == nil {
		err = agree(l.cfg, local, peer, sc)
	}
	var secret []byte
	if err == nil {
		secret, err = sessionSecret(sc, peer, local)
	}
	if err != nil {
		if counted {
			l.open.Add(-1)
		}
		if !errors.Is(err, errPeerRefused) {
			refuse(sc, err)
		}
		return nil, nil, err
	}
	s := newSession(l.cfg, wire.RoleListener, local, peer, secret)
	s.release = func() {
		l.remember(s)
		l.forget(local.Session)
	}
	s.listener = l
	l.mu.Lock()
	l.sessions[string(local.Session)] = s
	l.mu.Unlock()
	return s, newCarrier(sc, nc, br), nil
}

// resumed checks a dialer's resume of a session and returns the session.
// Only the listener can judge these checks, so a refusal comes in place of
// its hello.
func (l *Listener) resumed(nc net.Conn, peer wire.Hello) (*Session, error) {
	l.mu.Lock()
	s := l.sessions[string(peer.Session)]
	l.mu.Unlock()
	if s == nil {
		if known, err := l.farewell(nc, peer); known {
			return nil, err
		}
		return nil, errLost(fmt.Errorf("%s resumed a session this listener does not hold (it may have restarted, or ended the session)", nc.RemoteAddr()))
	}
	if err := proveResume(s.secret, nc, peer); err != nil {
		return nil, err
	}
	local, err := l.cfg.hello(nc, wire.RoleListener)
	if err != nil {
		return nil, err
	}
	if err := agree(l.cfg, local, peer, nc); err != nil {
		return nil, err
	}
	if peer.Capacity != s.peer.Capacity || peer.MaxValue != s.peer.MaxValue || peer.MaxStreams != s.peer.MaxStreams ||
		peer.Window != s.peer.Window || peer.TypeShape != s.peer.TypeShape {
		return nil, fmt.Errorf("%w: %s resumed a session with other settings", ErrHandshake, nc.RemoteAddr())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.peerBye != nil && s.peerBye.Code == wire.CodeNormal:
		return nil, errFarewell
	case s.err != nil && (!s.resumeClosing || s.finished):
		return nil, errLost(fmt.Errorf("%s resumed a session that ended: %w", nc.RemoteAddr(), s.err))
	case s.window == 0:
		return nil, errLost(fmt.Errorf("%s resumed a session without a resume window", nc.RemoteAddr()))
	case peer.Counter <= s.counter:
		return nil, fmt.Errorf("%w: %s resumed with proof number %d, already used", ErrAuth, nc.RemoteAddr(), peer.Counter)
	}
	s.counter = peer.Counter
	return s, nil
}

// proveResume checks that a dialer's resume on nc proves it holds the
// session of the given secret, the one its hello names.
func proveResume(secret []byte, nc net.Conn, peer wire.Hello) error {
	want, err := resumeMAC(secret, nc, wire.RoleDialer, peer.Session, peer.Counter)
	if err != nil {
		return err
	}
	if !hmac.Equal(peer.MAC, want) {
		return fmt.Errorf("%w: %s resumed a session without proving it holds it", ErrAuth, nc.RemoteAddr())
	}
	return nil
}

// detach counts s among the sessions waiting for a resume; beyond the
// bound, the one that waited longest is lost. It reports false when the
// listener is closed: no resume can come.
func (l *Listener) detach(s *Session) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.detached = append(l.detached, s)
	var evict *Session
	if max := l.cfg.MaxDetached; max > 0 && len(l.detached) > max {
		evict = l.detached[0]
		l.detached = l.detached[1:]
	}
	l.mu.Unlock()
	if evict != nil {
		evict.fail(errLost(fmt.Errorf("the listener keeps at most %d sessions waiting for a resume", l.cfg.MaxDetached)))
	}
	return true
}

// attach takes s out of the sessions waiting for a resume.
func (l *Listener) attach(s *Session) {
	l.mu.Lock()
	l.detached = slices.DeleteFunc(l.detached, func(d *Session) bool { return d == s })
	l.mu.Unlock()
}

// forget drops an ended session.
func (l *Listener) forget(id []byte) {
	l.mu.Lock()
	delete(l.sessions, string(id))
	l.mu.Unlock()
	l.open.Add(-1)
}

func (l *Listener) report(err error) {
	l.cfg.Logger.Warn("netchan: connection refused", "err", err)
	if l.cfg.OnError != nil {
		l.cfg.OnError(err)
	}
}

// maxRefusing bounds the refusals in progress: beyond it, a connection over
// the limit is closed without a word, so a flood costs little.
const maxRefusing = 16

// refuse tells a connection over the limit why it is refused. Over TLS the
// reason can only be read after a TLS handshake, which costs the listener
// work, so only a few refusals run at once.
func (l *Listener) refuse(nc net.Conn) {
	if l.cfg.TLS == nil {
		refuse(nc, errAtLimit)
		_ = nc.Close()
		return
	}
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = nc.Close()
		return
	}
	l.wg.Go(func() {
		defer func() { <-l.refusing }()
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(l.cfg.HandshakeTimeout))
		tc := tls.Server(nc, l.cfg.TLS)
		if tc.HandshakeContext(l.ctx) == nil {
			refuse(tc, errAtLimit)
		}
	})
}

var errAtLimit = fmt.Errorf("%w: listener at its connection limit", ErrLimit)

// passing reports whether an accept error may clear by itself.
func passing(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.ECONNABORTED) || (errors.As(err, &ne) && ne.Timeout())
}
