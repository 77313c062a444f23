package endpoint

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/options"
	"github.com/netchan/netchan/stats"
)

// Listener accepts connections carrying values of type T. All methods are
// safe for concurrent use.
type Listener[T any] struct {
	l       *conn.Listener
	s       *options.Settings
	ctx     context.Context
	unwatch func() bool
	drains  *drains   // of the channels its connections carried: see drains
	conns   stats.Set // the connections accepted: see Stats
}

// Listen listens on addr ("host:port"), or serves the listener given with
// WithListener, in which case addr must be empty or that listener's address.
// ctx bounds the whole life of the listener and of every connection it
// accepts: when ctx ends, they all close.
func Listen[T any](ctx context.Context, addr string, s *options.Settings) (*Listener[T], error) {
	cfg, err := s.Transport(options.Listener)
	if err != nil {
		return nil, err
	}
	d := newDrains(ctx)
	if err := carry[T](cfg, s, d); err != nil {
		d.stop()
		return nil, err
	}
	var l *conn.Listener
	if s.Listener != nil {
		if addr != "" && addr != s.Listener.Addr().String() {
			return nil, fmt.Errorf("netchan: Listen on %q with WithListener bound to %s: give one address", addr, s.Listener.Addr())
		}
		l, err = conn.Serve(s.Listener, cfg)
	} else {
		l, err = conn.Listen(ctx, addr, cfg)
	}
	if err != nil {
		d.stop()
		return nil, err
	}
	if s.OnListen != nil {
		s.OnListen(l.Addr())
	}
	if s.Insecure {
		s.Notices.Warn("netchan: listening without TLS: values travel in plaintext and clients are not authenticated", "addr", l.Addr())
	}
	tl := &Listener[T]{l: l, s: s, ctx: ctx, drains: d}
	tl.unwatch = context.AfterFunc(ctx, func() { _ = l.Close() })
	return tl, nil
}

// Accept waits for the next connection that completed its handshake.
func (l *Listener[T]) Accept(ctx context.Context) (*Conn[T], error) {
	c, err := l.l.Accept(ctx)
	if err != nil {
		if errors.Is(err, conn.ErrClosed) && l.ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %w", err, context.Cause(l.ctx))
		}
		return nil, err
	}
	tc := connected(newConn[T](l.ctx, c, l.s), l.s)
	l.conns.Add(tc)
	return tc, nil
}

// Addr returns the address the listener listens on.
func (l *Listener[T]) Addr() net.Addr { return l.l.Addr() }

// KeepDrains makes the goroutines that drain the channels the
// connections of this Listener carried (see drains) outlast Close: each
// stops when the program closes its channel or ctx ends. wait waits for
// them, after the Listener and its connections ended.
func (l *Listener[T]) KeepDrains(ctx context.Context) (wait func()) { return l.drains.keep(ctx) }

// Close stops accepting and waits for the listener's goroutines, those
// that drain the channels of its connections that ended too (see drains),
// unless kept: a send on such a channel waits from then on. Connections
// already accepted stay open. It is idempotent.
func (l *Listener[T]) Close() error {
	l.unwatch()
	err := l.l.Close()
	l.drains.stop()
	return err
}
