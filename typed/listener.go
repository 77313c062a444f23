package typed

import (
	"context"
	"net"

	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/options"
)

// Listener accepts connections carrying values of type T. All methods are
// safe for concurrent use.
type Listener[T any] struct{ l *endpoint.Listener[T] }

// Listen listens on addr ("host:port"), or serves the listener given with
// netchan.WithListener, in which case addr must be empty or that
// listener's address. ctx bounds the whole life of the listener and of
// every connection it accepts: when ctx ends, they all close.
func Listen[T any](ctx context.Context, addr string, opts ...Option) (*Listener[T], error) {
	s, err := options.Resolve(opts)
	if err != nil {
		return nil, err
	}
	if err := s.RefuseBroadcast("typed.Listen"); err != nil {
		return nil, err
	}
	l, err := endpoint.Listen[T](ctx, addr, s)
	if err != nil {
		return nil, err
	}
	return &Listener[T]{l}, nil
}

// Accept waits for the next connection that completed its handshake. A
// connection that resumes a session after a cut is not accepted again: it
// goes on as the Conn Accept returned for it.
func (l *Listener[T]) Accept(ctx context.Context) (*Conn[T], error) {
	c, err := l.l.Accept(ctx)
	if err != nil {
		return nil, err
	}
	return &Conn[T]{c}, nil
}

// Addr returns the address the listener listens on.
func (l *Listener[T]) Addr() net.Addr { return l.l.Addr() }

// Close stops accepting and waits for the listener's goroutines, those
// that drain the channels its connections carried after they ended too
// (see "Channels in values" in package netchan): a send on such a channel
// waits from then on. Connections already accepted stay open, though one whose network
// connection breaks can no longer resume. It is idempotent.
func (l *Listener[T]) Close() error { return l.l.Close() }
