package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// Listener accepts netchan connections. Each incoming connection runs its
// handshake in a goroutine of its own, so a peer that never finishes one
// delays nobody else; the handshake timeout ends it.
//
// All methods are safe for concurrent use. Close stops the listener's
// goroutines and waits for them; connections already returned by Accept
// belong to the caller.
type Listener struct {
	nl  net.Listener
	cfg *Config

	ready    chan *Conn // handshaken connections, waiting for Accept
	ctx      context.Context
	cancel   context.CancelFunc // ends ctx: closing, or the accept loop failed
	done     <-chan struct{}    // ctx.Done()
	once     gosync.Once
	wg       gosync.WaitGroup
	open     atomic.Int64  // connections handshaking or established
	refusing chan struct{} // a slot per refusal in progress

	errMu gosync.Mutex
	err   error // why the accept loop stopped
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

// Serve accepts netchan connections on nl, which the Listener then owns.
func Serve(nl net.Listener, cfg *Config) (*Listener, error) {
	if err := cfg.Check(); err != nil {
		_ = nl.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Listener{
		nl:       nl,
		cfg:      cfg.forListen(),
		ready:    make(chan *Conn),
		refusing: make(chan struct{}, maxRefusing),
		ctx:      ctx,
		cancel:   cancel,
		done:     ctx.Done(),
	}
	l.wg.Add(1)
	go l.acceptLoop()
	return l, nil
}

// Addr returns the address the listener listens on.
func (l *Listener) Addr() net.Addr { return l.nl.Addr() }

// Accept waits for the next connection that completed its handshake.
func (l *Listener) Accept(ctx context.Context) (*Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case <-l.done:
		return nil, l.stopErr()
	}
}

// Done is closed when the listener has been closed.
func (l *Listener) Done() <-chan struct{} { return l.done }

// Close stops accepting, ends handshakes in progress and connections not yet
// accepted, and waits for the listener's goroutines. It is idempotent.
func (l *Listener) Close() error {
	l.once.Do(func() {
		l.cancel()
		_ = l.nl.Close()
	})
	l.wg.Wait()
	return nil
}

func (l *Listener) stopErr() error {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if l.err != nil {
		return l.err
	}
	return ErrClosed
}

func (l *Listener) acceptLoop() {
	defer l.wg.Done()
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
			l.errMu.Lock()
			l.err = fmt.Errorf("netchan: accept: %w", err)
			l.errMu.Unlock()
			l.cancel()
			return
		}
		backoff = 0
		if max := l.cfg.MaxConns; max > 0 && l.open.Load() >= int64(max) {
			l.report(fmt.Errorf("%w: %d connections open, refusing %s", ErrLimit, max, nc.RemoteAddr()))
			l.refuse(nc)
			continue
		}
		l.open.Add(1)
		l.wg.Add(1)
		go l.serve(nc)
	}
}

// serve runs one handshake and hands the connection to Accept.
func (l *Listener) serve(nc net.Conn) {
	defer l.wg.Done()
	// Closing the listener cancels handshakes in progress.
	c, err := handshake(l.ctx, nc, l.cfg, wire.RoleListener, func() { l.open.Add(-1) })
	if err != nil {
		select {
		case <-l.done:
		default:
			l.report(err)
		}
		return
	}
	select {
	case l.ready <- c:
	case <-l.done:
		c.fail(fmt.Errorf("%w: listener closed", ErrClosed))
		<-c.done
	}
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
