package conn

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// Config holds a connection's settings. Package typed builds it from the
// user's options and validates it; conn trusts it and never changes it.
type Config struct {
	// TLS secures the connection. Nil means plaintext, which needs Insecure.
	TLS *tls.Config
	// Insecure allows plaintext when TLS is nil.
	Insecure bool
	// Secret, when set, is proven by each end after the TLS handshake.
	Secret []byte
	// Codec is the codec name announced in the handshake.
	Codec string
	// Capacity is this end's capacity per direction; 0 is rendezvous.
	Capacity int
	// MaxValue is the largest encoded value, in bytes, this end accepts.
	MaxValue int
	// HandshakeTimeout bounds dialing, TLS and the hello exchange.
	HandshakeTimeout time.Duration
	// IdleTimeout ends a connection on which nothing arrived for that long;
	// 0 means never. The peer learns it in the handshake and keeps the
	// connection alive with pings.
	IdleTimeout time.Duration
	// Dialer, if not nil, makes the network connection Dial runs the
	// handshake over, in place of a TCP dial of the address.
	Dialer func(ctx context.Context, addr string) (net.Conn, error)
	// MaxConns bounds a listener's sessions, handshaking or established;
	// 0 means no bound.
	MaxConns int
	// ResumeWindow is how long a session whose connection broke is kept
	// for a resume; the smaller of the two ends' wins. 0 turns resume off:
	// a broken connection ends its session.
	ResumeWindow time.Duration
	// MaxStreams is how many streams the peer may have open at once, of
	// those it opens. 0 means none.
	MaxStreams int
	// MaxDetached bounds a listener's sessions whose connection broke and
	// that wait for a resume; beyond it, the one that waited longest is
	// lost. 0 means no bound.
	MaxDetached int
	// TypeName and TypeShape describe what the main stream carries (see
	// wire.Hello); empty means anything.
	TypeName, TypeShape string
	// Inbox, if not nil, makes the main stream's inbox, given its session,
	// not yet running, and its window: the layer that decodes values
	// supplies it. With nil, values are kept as bytes for Stream.Next.
	Inbox func(s *Session, window int) Inbox
	// OpenInbox, if not nil, makes the inbox of a stream the peer opens,
	// given the stream's meta and window; an error refuses the stream and
	// ends the session. The peer chose the window: an inbox should make
	// room for values as they arrive, not for the window at once. With
	// nil, values are kept as bytes.
	OpenInbox func(meta []byte, window int) (Inbox, error)
	// Logger receives what cannot be returned. Never nil after Check.
	Logger *slog.Logger
	// OnError, if not nil, also receives what cannot be returned, such as a
	// listener's failed handshakes.
	OnError func(error)
}

// Check reports a setting that cannot work.
func (c *Config) Check() error {
	switch {
	case c.TLS == nil && !c.Insecure:
		return ErrNoTrust
	case c.TLS != nil && c.TLS.MinVersion < tls.VersionTLS13:
		return fmt.Errorf("netchan: TLS MinVersion must be TLS 1.3")
	case len(c.Codec) == 0 || len(c.Codec) > wire.MaxCodecName:
		return fmt.Errorf("netchan: codec name %q must be 1 to %d bytes", c.Codec, wire.MaxCodecName)
	case c.Capacity < 0 || c.Capacity > wire.MaxCapacity:
		return fmt.Errorf("netchan: capacity %d out of range [0, %d]", c.Capacity, wire.MaxCapacity)
	case c.MaxValue <= 0 || c.MaxValue > MaxValueLimit:
		return fmt.Errorf("netchan: max value size %d out of range [1, %d]", c.MaxValue, MaxValueLimit)
	case c.IdleTimeout < 0:
		return fmt.Errorf("netchan: idle timeout %v must not be negative", c.IdleTimeout)
	case c.ResumeWindow < 0 || c.ResumeWindow > time.Duration(wire.MaxResumeWindow)*time.Millisecond:
		return fmt.Errorf("netchan: resume window %v out of range [0, 24h]", c.ResumeWindow)
	case c.MaxStreams < 0 || c.MaxStreams > wire.MaxStreams:
		return fmt.Errorf("netchan: max streams %d out of range [0, %d]", c.MaxStreams, wire.MaxStreams)
	case len(c.TypeName) > wire.MaxTypeName || len(c.TypeShape) > wire.MaxTypeShape:
		return fmt.Errorf("netchan: type description %q (%q) too long", c.TypeName, c.TypeShape)
	case c.HandshakeTimeout <= 0:
		return fmt.Errorf("netchan: handshake timeout %v must be positive", c.HandshakeTimeout)
	case c.Logger == nil:
		return fmt.Errorf("netchan: nil logger")
	}
	return nil
}

// ALPN is the application protocol netchan negotiates over TLS, so a
// netchan client never mistakes another TLS service for a listener.
const ALPN = "netchan/2"

// alpnV1 is the first version's protocol name.
const alpnV1 = "netchan/1"
