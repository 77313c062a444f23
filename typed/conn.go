package typed

import (
	"context"
	"crypto/tls"
	"net"

	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/options"
)

// Conn is one end of a netchan connection carrying values of type T in both
// directions.
//
// Semantics. Each direction delivers every value once and in order, across
// cuts of the network connection that the session resumes from (see
// netchan.WithResumeWindow). The two ends agree on a capacity n, the
// smaller of their WithBuffer settings. With n >= 1, at most n values sent
// on one end are outstanding, that is not yet received by the peer's
// program; Send waits while n are. With n = 0 (rendezvous, the Sync
// option) Send returns only after the peer's Recv took the value. A value
// counts as received when Recv returns it.
//
// When the session ends without delivering them, because it was lost
// (netchan.ErrSessionLost) or the peer ended it, each value sent that the
// peer's program had not received is reported through OnError (and the
// logger, as netchan.OnError says) as its own *UndeliveredError[T], in
// order: the values sent are those the peer's program received and those
// reported. A value whose receipt was on its way back when the session was
// lost is reported too, its fate unknown to this end. After a Close whose
// values the peer's session acknowledged, none is reported: they wait for
// the peer's program.
//
// Send, Recv and CloseSend may be called from any number of goroutines;
// values sent concurrently are delivered in the order their sends were
// committed. Close may be called at any time and more than once.
type Conn[T any] struct{ c *endpoint.Conn[T] }

// Dial connects to a netchan listener at addr ("host:port", or any address
// the dialer given with netchan.WithDialer understands). ctx bounds the
// whole life of the connection: when it ends, the connection closes. Dial
// does not retry: a session that started dials again by itself when its
// connection breaks, but a first dial that fails returns its error.
func Dial[T any](ctx context.Context, addr string, opts ...Option) (*Conn[T], error) {
	s, err := options.Resolve(opts)
	if err != nil {
		return nil, err
	}
	if err := s.RefuseBroadcast("typed.Dial"); err != nil {
		return nil, err
	}
	c, err := endpoint.Dial[T](ctx, addr, s)
	if err != nil {
		return nil, err
	}
	return &Conn[T]{c}, nil
}

// Send sends v. It waits while the capacity is used up, and in rendezvous
// mode until the peer's program received v. An error means v was not
// delivered, except that a rendezvous Send whose ctx ends after v was sent
// cannot tell whether v arrived.
func (c *Conn[T]) Send(ctx context.Context, v T) error { return c.c.Send(ctx, v) }

// Recv waits for the next value. It returns io.EOF once the peer closed its
// send side and every value it sent was received.
func (c *Conn[T]) Recv(ctx context.Context) (T, error) { return c.c.Recv(ctx) }

// CloseSend tells the peer that no more values follow. The peer receives
// every value sent before, then io.EOF. Sends after CloseSend fail. It is
// idempotent.
func (c *Conn[T]) CloseSend() error { return c.c.CloseSend() }

// Close ends the connection and its session at once, telling the peer, and
// waits for its goroutines. Values that arrived and were not received are
// given back, not received: the peer reports them undelivered, or a
// listener of the channel API hands them to another client, and Recv
// returns netchan.ErrClosed from now on. Values this end sent that reached
// the peer before the end are still the peer's program's to receive; the
// others are reported undelivered. To end gracefully, CloseSend and Recv
// until io.EOF first. If the connection is cut as Close tells the peer,
// the session resumes so that the peer hears of it with everything sent
// before: Close then waits for that, for at most the resume window, and
// no longer than the context given to Dial, or to Listen, lives. Close
// does not wait for the channels that values carried: what was sent on
// them and not yet taken by the peer's program is reported undelivered.
// Closing a Conn that Dial returned also stops draining the channels its
// values carried: a send on a reply field received on it, after its
// session ended, waits from then on (see "Channels in values" in package
// netchan). It is idempotent.
func (c *Conn[T]) Close() error { return c.c.Close() }

// Capacity returns the capacity the two ends agreed on; 0 is rendezvous.
func (c *Conn[T]) Capacity() int { return c.c.Capacity() }

// Unacknowledged returns how many values this end sent that the peer's
// program has not received, as far as this end knows: Stats().InFlight,
// whose doc says how far behind the peer's receives it may be.
func (c *Conn[T]) Unacknowledged() int { return c.c.Unacknowledged() }

// Done is closed when the connection has ended.
func (c *Conn[T]) Done() <-chan struct{} { return c.c.Done() }

// Err returns why the connection ended, or nil while it is open.
func (c *Conn[T]) Err() error { return c.c.Err() }

// LocalAddr returns the local network address, of the latest network
// connection if the session resumed.
func (c *Conn[T]) LocalAddr() net.Addr { return c.c.LocalAddr() }

// RemoteAddr returns the peer's network address, of the latest network
// connection if the session resumed.
func (c *Conn[T]) RemoteAddr() net.Addr { return c.c.RemoteAddr() }

// ConnectionState returns the state of the TLS connection, as
// tls.Conn.ConnectionState does: under mutual TLS, its VerifiedChains hold
// the peer's verified certificate. On an Insecure() connection it is the
// zero value.
func (c *Conn[T]) ConnectionState() tls.ConnectionState { return c.c.ConnectionState() }
