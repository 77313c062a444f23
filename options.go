package netchan

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/options"
)

// Option configures Listen and Dial, here and in package typed. Options are
// checked when Listen or Dial is called: an invalid value is an error there.
type Option = options.Option

// Defaults and bounds of the options. They are written as values, so that
// go doc shows them; a test holds them equal to the settings netchan applies.
const (
	// DefaultBuffer is the capacity when neither WithBuffer nor Sync is given:
	// deep enough that a stream of small values is not held back by the
	// credits' round trip, even with many connections on a few cores (see
	// docs/performance.md), while the byte budget of package sync bounds
	// what a receiver holds whatever the capacity.
	DefaultBuffer = 4096
	// MaxBuffer is the largest capacity WithBuffer accepts.
	MaxBuffer = 1 << 20
	// DefaultMaxMessageSize is the largest encoded value accepted by default.
	DefaultMaxMessageSize = 1 << 20
	// DefaultHandshakeTimeout bounds dialing, TLS and the handshake.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultIdleTimeout ends a connection on which nothing arrived for that
	// long; the peer keeps a quiet connection alive with pings.
	DefaultIdleTimeout = time.Minute
	// MinSecretLength is the shortest secret WithSecret accepts, in bytes.
	MinSecretLength = 24
	// DefaultResumeWindow is how long a session outlives a broken
	// connection, waiting for a resume, unless WithResumeWindow says
	// otherwise.
	DefaultResumeWindow = 30 * time.Second
	// MaxResumeWindow is the longest resume window.
	MaxResumeWindow = 24 * time.Hour
	// DefaultMaxStreams is how many streams a peer may have open at once
	// on one session, of those it opens, unless WithMaxStreams says
	// otherwise.
	DefaultMaxStreams = 4096
	// DefaultMaxBrokenSessions is how many sessions a listener keeps while
	// their connection is broken, unless WithMaxBrokenSessions says
	// otherwise.
	DefaultMaxBrokenSessions = 1024
	// DefaultStallTimeout is how long a client of a broadcast listener may
	// hold the others back, unless WithStallTimeout says otherwise.
	DefaultStallTimeout = 10 * time.Second
	// MinStallTimeout is the shortest stall timeout.
	MinStallTimeout = 100 * time.Millisecond
)

// WithCodec sets the codec. Both ends must use codecs of the same name.
// The default is codec.CBOR().
func WithCodec(c codec.Codec) Option {
	return options.New(func(s *options.Settings) { s.Codec = c })
}

// WithBuffer sets the capacity of each direction, as make(chan T, n) does,
// measured across the network: with n >= 1, n sends complete while the
// remote program has received nothing, and the next blocks until it receives
// one. WithBuffer(0) is Sync(). When the two ends set different values, the
// smaller wins. n must be in [0, MaxBuffer]; the default is DefaultBuffer.
//
// One bound applies besides n: the values outstanding never exceed a byte
// budget, 64 MiB of encoded values or twice WithMaxMessageSize if that is
// more, so that a receiver never holds more than that of values its program
// has not taken. With the default capacity it binds only for values of
// about 64 KiB or more; then a send may wait before n are outstanding.
//
// Part of n may sit in the channels themselves: the channels Dial returns,
// and the receive channel of Listen, buffer up to a quarter of the capacity
// (at most 64 values, and 2 KiB of the element type), which spares a
// goroutine hand-off per value while values flow. Those values count in n,
// so the capacity stays exact: a value in a send channel's buffer is
// outstanding, and one in a receive channel's buffer is not yet received.
// The send channel of Listen, shared by its clients, has no buffer: a value
// in it would count against none of them. Behind it, each client gets its
// values through a buffer of its own of the same size, whose values count
// in that client's n.
func WithBuffer(n int) Option {
	return options.New(func(s *options.Settings) {
		if n < 0 || n > MaxBuffer {
			s.Fail(fmt.Errorf("netchan: WithBuffer(%d): capacity must be in [0, %d]", n, MaxBuffer))
			return
		}
		s.Buffer = n
	})
}

// Sync sets capacity 0, the rendezvous mode. typed.Conn.Send returns only
// after the remote program received the value (an acknowledgement comes
// back). On the channel API a send cannot wait for the network, so a send on
// the channel completes once the value is taken for sending, and only after
// every earlier value was received: at most one value is in flight.
//
// The acknowledgement travels with the receiving end's next frame, or as
// its program comes back to wait on the connection, and at the latest half
// a millisecond after the receive: a program that receives and then sends
// pays one write for both. A goroutine waiting on a rendezvous connection
// reads the network itself, which spares a hand-off between goroutines at
// each end of every round trip.
func Sync() Option { return WithBuffer(0) }

// WithTLS secures connections with cfg, over TLS 1.3 at least. A listener's
// cfg holds its certificate; to require client certificates (mutual TLS),
// set ClientAuth and ClientCAs. A dialer's cfg holds the roots it trusts
// (nil RootCAs: the system's) and, for mutual TLS, its certificate. A cfg
// that skips verification without verifying by a callback is refused.
func WithTLS(cfg *tls.Config) Option {
	return options.New(func(s *options.Settings) {
		if cfg == nil {
			s.Fail(fmt.Errorf("netchan: WithTLS(nil)"))
			return
		}
		s.TLS = cfg
	})
}

// WithSecret authenticates both ends by a shared secret, with no certificate
// to manage: the listener uses an ephemeral certificate, and after the TLS
// 1.3 handshake each end proves it knows the secret by a MAC bound to that
// TLS session, so a wrong secret fails and so does a party in the middle.
// The secret must be at least MinSecretLength bytes; make one with NewSecret.
// It may be combined with WithTLS, which then verifies certificates as well.
func WithSecret(secret string) Option {
	return options.New(func(s *options.Settings) {
		if len(secret) < MinSecretLength {
			s.Fail(fmt.Errorf("netchan: WithSecret: a secret of %d bytes could be guessed offline; use at least %d, as NewSecret makes", len(secret), MinSecretLength))
			return
		}
		s.Secret, s.HasSecret = secret, true
	})
}

// NewSecret returns a new random secret of 256 bits for WithSecret.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Insecure allows plaintext: no encryption and no authentication. Use it
// only on a network you trust, or in tests. A listener in this mode logs a
// warning, to the logger of WithLogger or else to slog.Default(), never to
// OnError.
func Insecure() Option {
	return options.New(func(s *options.Settings) { s.Insecure = true })
}

// WithListener makes Listen serve on l, which it then owns, instead of
// listening on an address. Tests use it to bind 127.0.0.1:0.
func WithListener(l net.Listener) Option {
	return options.New(func(s *options.Settings) {
		if l == nil {
			s.Fail(fmt.Errorf("netchan: WithListener(nil)"))
			return
		}
		s.Listener = l
	})
}

// WithDialer makes Dial, here and in package typed, open its network
// connection with d instead of dialing TCP, so that netchan runs over any
// stream transport: a unix socket, an SSH tunnel, net.Pipe in tests.
//
// d receives Dial's address unchanged: it need not be a host:port. Its ctx
// ends when Dial's ctx does and when the handshake timeout passes. If d
// fails, Dial's error wraps d's error. netchan owns the connection d
// returns: it closes it when the handshake fails or the connection ends.
// Over such a connection the trust options apply as over TCP. With WithTLS,
// the name verified is the host part of a host:port address; for an address
// of any other form, set the tls.Config's ServerName.
func WithDialer(d func(ctx context.Context, addr string) (net.Conn, error)) Option {
	return options.New(func(s *options.Settings) {
		if d == nil {
			s.Fail(fmt.Errorf("netchan: WithDialer(nil)"))
			return
		}
		s.Dialer = d
	})
}

// OnListen sets a function that Listen, here and in package typed, calls
// with the address it listens on, once it is bound and before Listen
// returns: how a program that listens on ":0" learns its port.
func OnListen(f func(net.Addr)) Option {
	return options.New(func(s *options.Settings) { s.OnListen = f })
}

// WithLogger sets where netchan logs, at warning level, what it cannot
// return: the errors OnError describes, which OnError receives as well if
// it is set, and warnings such as Insecure's. To log nothing, give
// slog.New(slog.DiscardHandler); l must not be nil.
//
// Without WithLogger, netchan logs to slog.Default() as it is when Listen
// or Dial is called, so that no error goes unseen, except that the errors
// go to OnError alone when it is set.
func WithLogger(l *slog.Logger) Option {
	return options.New(func(s *options.Settings) {
		if l == nil {
			s.Fail(fmt.Errorf("netchan: WithLogger(nil): to log nothing, give slog.New(slog.DiscardHandler)"))
			return
		}
		s.Logger = l
	})
}

// OnError sets a function to receive errors that cannot be returned: a peer
// that dropped, a bad frame, a value that could not be encoded or
// delivered, a client the listener refused. Each value not delivered comes
// as its own *UndeliveredError[T] holding it: those sent on a connection
// whose session was lost that the peer's program had not taken, in order,
// and those sent after it failed. Errors about one connection name its
// peer's address. Without WithLogger, f takes them in place of
// slog.Default(): they are no longer logged, while warnings that are no
// errors, such as Insecure's, still are. f is called from netchan's
// goroutines and must not block for long.
func OnError(f func(error)) Option {
	return options.New(func(s *options.Settings) { s.OnError = f })
}

// OnDone sets a function called once for each connection of the channel
// API (those Dial makes and Listen accepts; a typed.Conn has Done and Err)
// when it has ended and its goroutines have stopped. A connection is a
// session, which outlives cuts of the network connection it resumes from:
// OnDone is not called for those. It is called with nil when the session
// ended cleanly, both sides having closed their send channels or ctx having
// ended (after what was handed over was flushed), however many times it
// resumed, and otherwise once with the error that ended it, which was
// reported too (see OnError), such as ErrSessionLost. It is called from
// netchan's goroutines and must not block for long. The goroutines that go
// on receiving from channels the connection's values carried, once it
// ended (see "Channels in values" in the package doc), may outlive it:
// each stops when the program closes its channel or ctx ends.
//
// A program that closes its send channel and then exits would cut the
// connection while its last values or its close are still on the way;
// OnDone is how it waits for them. Once it has received what it needs, it
// closes its send channel and ends ctx: what it sent before, the close
// included, is still delivered, and OnDone then reports nil. This works
// against any listener, one that stays open for other clients included:
//
//	ctx, cancel := context.WithCancel(ctx)
//	defer cancel()
//	done := make(chan error, 1)
//	send, recv, err := netchan.Dial[T](ctx, addr, netchan.OnDone(func(err error) { done <- err }))
//	...
//	close(send) // no more values
//	cancel()    // end the connection: what was sent, and the close, still go
//	err = <-done
//
// Values the listener sent that the program had not received go back to
// the listener, which hands them to another client. Against a peer that
// closes its side too, a program may instead range over recv until it
// closes and then wait for OnDone, with no cancel: then it receives
// everything the peer sent.
func OnDone(f func(error)) Option {
	return options.New(func(s *options.Settings) { s.OnDone = f })
}

// WithMaxMessageSize sets the largest encoded value, in bytes, this end
// accepts; the peer learns it in the handshake and refuses to send larger
// ones. Range [64, 1 GiB]; default DefaultMaxMessageSize (1 MiB).
func WithMaxMessageSize(n int) Option {
	return options.New(func(s *options.Settings) {
		if n < options.MinMaxMessageSize || n > options.MaxMaxMessageSize {
			s.Fail(fmt.Errorf("netchan: WithMaxMessageSize(%d): must be in [%d, %d]", n, options.MinMaxMessageSize, options.MaxMaxMessageSize))
			return
		}
		s.MaxMessageSize = n
	})
}

// WithHandshakeTimeout bounds dialing, the TLS handshake and netchan's own,
// on both ends. Range [10ms, 10m]; default DefaultHandshakeTimeout (10s).
func WithHandshakeTimeout(d time.Duration) Option {
	return options.New(func(s *options.Settings) {
		if d < 10*time.Millisecond || d > 10*time.Minute {
			s.Fail(fmt.Errorf("netchan: WithHandshakeTimeout(%v): must be in [10ms, 10m]", d))
			return
		}
		s.HandshakeTimeout = d
	})
}

// WithMaxConns bounds the connections a listener has open, handshaking or
// established; further ones are refused until some close. 0, the default,
// means no bound.
func WithMaxConns(n int) Option {
	return options.New(func(s *options.Settings) {
		if n < 0 {
			s.Fail(fmt.Errorf("netchan: WithMaxConns(%d): must be >= 0", n))
			return
		}
		s.MaxConns = n
	})
}

// WithResumeWindow sets how long a session outlives a broken connection.
// Within the window a dialer dials again by itself and resumes the session:
// each end sends again what the other had not received, and the program
// sees no cut: every value arrives once, in order, its close too, and the
// capacity is as before. A listener keeps a broken session for the
// window, waiting for its dialer. The window counts from the moment an end
// notices the break.
//
// Once the window passed, or when the listener no longer knows the session
// (its process restarted), the session is lost: its end reports
// ErrSessionLost, and each value it sent that the peer's program had not
// taken is reported undelivered (see OnError), or, on a listener, handed
// to another client; a value taken just before may be among them, its
// fate unknown. A lost session never comes back: a program that wants to
// go on dials again. When the two ends set different windows, the smaller
// wins. d is 0, which turns resume off so that a broken connection ends
// its session, or up to MaxResumeWindow; the default is
// DefaultResumeWindow.
func WithResumeWindow(d time.Duration) Option {
	return options.New(func(s *options.Settings) {
		if d < 0 || d > MaxResumeWindow {
			s.Fail(fmt.Errorf("netchan: WithResumeWindow(%v): must be in [0, %v]", d, MaxResumeWindow))
			return
		}
		s.ResumeWindow = d
	})
}

// WithMaxStreams bounds how many streams the peer may have open at once on
// a session, of those it opens: one per channel its values carry, until
// the channel is closed or the session ends. A value whose channels would
// open more is refused with ErrLimit, and nothing of it is sent. n is in
// [1, MaxBuffer]; the default is DefaultMaxStreams. It applies to types
// that hold channels; for the others, the peer may open none.
func WithMaxStreams(n int) Option {
	return options.New(func(s *options.Settings) {
		if n < 1 || n > MaxBuffer {
			s.Fail(fmt.Errorf("netchan: WithMaxStreams(%d): must be in [1, %d]", n, MaxBuffer))
			return
		}
		s.MaxStreams = n
	})
}

// WithMaxBrokenSessions bounds how many sessions a listener keeps while
// their connection is broken, each waiting for its dialer to resume it, so
// that clients that vanish cannot make it hold memory without bound; each
// such session holds at most its values outstanding. Beyond n, the session
// that has waited longest is lost. n is at least 1; the default is
// DefaultMaxBrokenSessions.
func WithMaxBrokenSessions(n int) Option {
	return options.New(func(s *options.Settings) {
		if n < 1 {
			s.Fail(fmt.Errorf("netchan: WithMaxBrokenSessions(%d): must be at least 1", n))
			return
		}
		s.MaxDetached = n
	})
}

// WithIdleTimeout ends a connection on which nothing arrived for d, and a
// write that cannot proceed for d, so that a peer that vanished or stopped
// reading is noticed. The peer learns d in the handshake and sends a ping
// when it has had nothing to send for d/3, so a quiet but healthy
// connection stays up. 0 disables it; otherwise the range is [300ms, 24h].
// The default is DefaultIdleTimeout (1 minute).
func WithIdleTimeout(d time.Duration) Option {
	return options.New(func(s *options.Settings) {
		if d != 0 && (d < 300*time.Millisecond || d > 24*time.Hour) {
			s.Fail(fmt.Errorf("netchan: WithIdleTimeout(%v): must be 0 or in [300ms, 24h]", d))
			return
		}
		s.IdleTimeout = d
	})
}

// Broadcast makes Listen, on the channel API, send every value to every
// client rather than to one of them. A value sent on Listen's send channel
// goes to each client connected when the send happened, in order, once
// each. A client counts as connected from the end of its handshake, which
// is before any value it sends can reach Listen's receive channel: once
// the program has received a value from a client, its next send reaches
// that client.
//
// With no client connected, a send waits for one; a send that completed
// as the last client left, too late for it, counts as one that waited:
// its value goes first to the next client to connect, or, if the listener
// ends before one does, is reported undelivered. A send completes once
// each client connected has room for the value, as WithBuffer defines it
// for that client: the slowest client sets the pace, up to the stall
// timeout (WithStallTimeout). A client that connects later starts with
// the next value sent: a broadcast listener keeps no log of what it sent
// before. close(send) closes every client's receive channel, each after it
// received everything sent to it; clients that connect afterwards find
// theirs closed. Values from clients merge into Listen's receive channel,
// as without Broadcast.
//
// A client that leaves, or is cut for stalling, gives nothing back: what
// it did not take goes nowhere, since the other clients have it already,
// and is not reported value by value (the stall error counts it). With a
// stateless codec (CBOR, JSON) each value is encoded once for every
// client; a stateful one, such as gob, encodes it for each connection.
//
// Broadcast is an option of the channel API's Listen only: Dial and
// package typed refuse it with ErrBroadcastOnly. Listen refuses it for a
// type whose values may hold channels: a channel travels to one peer.
func Broadcast() Option {
	return options.New(func(s *options.Settings) { s.Broadcast = true })
}

// WithStallTimeout sets how long a client of a broadcast listener may hold
// the others back. A client stalls when it has no room for the next value
// while values wait for it, and for d neither its connection took any (it
// stopped reading) nor its program (no credit came back). Values wait for
// it when its connection has not written them all, or when its program
// has not taken them all, beyond those a receiver keeps for its receive
// channel's buffer. Once it has stalled for d, the listener ends its
// session, which does not resume, reports an error wrapping ErrStalled
// that names the client's address and counts the values it did not take,
// and goes on with the others. A client whose connection broke takes
// nothing either: if its resume takes longer than d while it holds the
// others back, it is cut the same way. A client that has taken everything
// and waits is never cut, nor one whose program takes a value at least
// every d: once its sender may be out of room, each value it takes
// returns its credit at once.
//
// d is in [MinStallTimeout, MaxResumeWindow]; the default is
// DefaultStallTimeout. It is an option of Listen with Broadcast only:
// elsewhere it is refused with ErrBroadcastOnly.
func WithStallTimeout(d time.Duration) Option {
	return options.New(func(s *options.Settings) {
		if d < MinStallTimeout || d > MaxResumeWindow {
			s.Fail(fmt.Errorf("netchan: WithStallTimeout(%v): must be in [%v, %v]", d, MinStallTimeout, MaxResumeWindow))
			return
		}
		s.StallTimeout = d
	})
}
