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
	// MaxConns bounds a listener's open connections; 0 means no bound.
	MaxConns int
	// Inbox, if not nil, makes the inbox of each stream, given its window:
	// the layer that decodes values supplies it. With nil, values are kept
	// as bytes for Stream.Next.
	Inbox func(window int) Inbox
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
	case c.HandshakeTimeout <= 0:
		return fmt.Errorf("netchan: handshake timeout %v must be positive", c.HandshakeTimeout)
	case c.Logger == nil:
		return fmt.Errorf("netchan: nil logger")
	}
	return nil
}

// ALPN is the application protocol netchan negotiates over TLS, so a
// netchan client never mistakes another TLS service for a listener.
const ALPN = "netchan/1"
