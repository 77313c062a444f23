package netchan

import (
	"net"

	"github.com/netchan/netchan/internal/options"
	"github.com/netchan/netchan/stats"
)

// OnConnect sets a function called with each connection as it starts: the
// one Dial makes, and each one Listen accepts, here and in package typed
// (where Accept and Dial return connections with the same methods). f is
// called from netchan's goroutines before the connection's first value,
// and must not block for long; c may be kept and read from any goroutine,
// for as long as the program likes.
//
// To publish the stats of every connection with expvar, add each to a
// stats.Set:
//
//	var conns stats.Set
//	if err := conns.Publish("netchan"); err != nil { ... }
//	send, recv, err := netchan.Listen[T](ctx, addr, netchan.OnConnect(func(c *netchan.Conn) { conns.Add(c) }))
func OnConnect(f func(c *Conn)) Option {
	return options.New(func(s *options.Settings) {
		if f == nil {
			s.OnConnect = nil
			return
		}
		s.OnConnect = func(c options.Conn) { f(&Conn{c}) }
	})
}

// Conn is a connection of the channel API, as OnConnect gives it: what
// its channels do not say. All methods are safe for concurrent use.
type Conn struct{ c options.Conn }

// Stats returns what the connection did so far: values and bytes each
// way, values in flight, the time sends waited for credits, the latest
// round trip and the resumes (see stats.Conn for what each counts).
// Reading them costs the connection's values nothing: they are counters
// the connection keeps anyway, and a round trip sampled one batch of frames
// at a time.
func (c *Conn) Stats() stats.Conn { return c.c.Stats() }

// LocalAddr returns the local network address, of the latest network
// connection if the session resumed.
func (c *Conn) LocalAddr() net.Addr { return c.c.LocalAddr() }

// RemoteAddr returns the peer's network address, of the latest network
// connection if the session resumed.
func (c *Conn) RemoteAddr() net.Addr { return c.c.RemoteAddr() }

// Done is closed when the connection's session has ended.
func (c *Conn) Done() <-chan struct{} { return c.c.Done() }

// Err returns why the connection ended, or nil while it is open.
func (c *Conn) Err() error { return c.c.Err() }

var _ stats.Source = (*Conn)(nil)
