// Package options holds the settings behind netchan's functional options. The
// root package defines the options users call; package typed resolves them
// into one validated Settings and, from it, the transport's configuration.
// Keeping the type here lets the root alias it and typed accept it without an
// import cycle.
package options

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/wire"
)

// Option configures a connection or a listener. The zero Option does nothing.
type Option struct {
	apply func(*Settings)
}

// New returns an option that applies f.
func New(f func(*Settings)) Option { return Option{apply: f} }

// Defaults and bounds, documented on the options that set them.
const (
	DefaultBuffer           = 4096
	MaxBuffer               = wire.MaxCapacity
	DefaultMaxMessageSize   = 1 << 20
	MinMaxMessageSize       = 64
	MaxMaxMessageSize       = 1 << 30
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultIdleTimeout      = time.Minute
	DefaultResumeWindow     = 30 * time.Second
	MaxResumeWindow         = 24 * time.Hour
	DefaultMaxStreams       = 4096
	DefaultMaxDetached      = 1024
	MinSecretLen            = 24
	DefaultStallTimeout     = 10 * time.Second
	MinStallTimeout         = 100 * time.Millisecond
)

// Settings is what the options resolve to.
type Settings struct {
	Codec            codec.Codec
	Buffer           int
	TLS              *tls.Config
	Insecure         bool
	Secret           string
	HasSecret        bool
	Listener         net.Listener
	Dialer           func(ctx context.Context, addr string) (net.Conn, error)
	OnListen         func(net.Addr)
	OnError          func(error)
	OnDone           func(error) // the channel API's, per connection
	OnConnect        func(Conn)  // see onconnect.go
	MaxMessageSize   int
	HandshakeTimeout time.Duration
	IdleTimeout      time.Duration
	MaxConns         int
	ResumeWindow     time.Duration
	MaxStreams       int
	MaxDetached      int
	Broadcast        bool          // the channel API's Listen only
	StallTimeout     time.Duration // WithStallTimeout's; 0 when not given

	// Logger is WithLogger's until Resolve; from then on it takes the
	// errors that cannot be returned, and Notices the warnings that are no
	// errors, such as Insecure's: see resolveLogs.
	Logger  *slog.Logger
	Notices *slog.Logger

	errs []error
}

// Fail records an invalid option value, reported by Resolve.
func (s *Settings) Fail(err error) { s.errs = append(s.errs, err) }

// Resolve applies opts over the defaults and checks the result.
func Resolve(opts []Option) (*Settings, error) {
	s := &Settings{
		Codec:            codec.CBOR(),
		Buffer:           DefaultBuffer,
		MaxMessageSize:   DefaultMaxMessageSize,
		HandshakeTimeout: DefaultHandshakeTimeout,
		IdleTimeout:      DefaultIdleTimeout,
		ResumeWindow:     DefaultResumeWindow,
		MaxStreams:       DefaultMaxStreams,
		MaxDetached:      DefaultMaxDetached,
	}
	for _, o := range opts {
		if o.apply != nil {
			o.apply(s)
		}
	}
	s.resolveLogs()
	if err := s.check(); err != nil {
		s.errs = append(s.errs, err)
	}
	if len(s.errs) > 0 {
		return nil, errors.Join(s.errs...)
	}
	return s, nil
}

func (s *Settings) check() error {
	switch {
	case s.Codec == nil:
		return errors.New("netchan: WithCodec(nil)")
	case s.Insecure && (s.TLS != nil || s.HasSecret):
		return errors.New("netchan: Insecure() cannot be combined with WithTLS or WithSecret: choose one trust mode")
	case s.TLS != nil && s.TLS.MaxVersion != 0 && s.TLS.MaxVersion < tls.VersionTLS13:
		return errors.New("netchan: the TLS configuration's MaxVersion is below TLS 1.3, the minimum netchan speaks")
	case s.TLS != nil && s.TLS.InsecureSkipVerify && s.TLS.VerifyConnection == nil && s.TLS.VerifyPeerCertificate == nil:
		return conn.ErrUnverified
	}
	if n := s.Codec.Name(); len(n) == 0 || len(n) > wire.MaxCodecName {
		return fmt.Errorf("netchan: codec name %q must be 1 to %d bytes", n, wire.MaxCodecName)
	}
	return nil
}

// ErrBroadcastOnly is why an option of a broadcast listener is refused
// elsewhere.
var ErrBroadcastOnly = errors.New("netchan: an option of Listen with Broadcast() only")

// RefuseBroadcast returns an error if s holds Broadcast or
// WithStallTimeout, which api (such as "Dial") does not take.
func (s *Settings) RefuseBroadcast(api string) error {
	switch {
	case s.Broadcast:
		return fmt.Errorf("%w: %s does not take Broadcast()", ErrBroadcastOnly, api)
	case s.StallTimeout != 0:
		return fmt.Errorf("%w: %s does not take WithStallTimeout", ErrBroadcastOnly, api)
	}
	return nil
}

// Stall returns the stall timeout of a broadcast listener: the one given,
// or the default. Without Broadcast, a stall timeout given is an error.
func (s *Settings) Stall() (time.Duration, error) {
	switch {
	case !s.Broadcast && s.StallTimeout != 0:
		return 0, fmt.Errorf("%w: WithStallTimeout needs Broadcast() too", ErrBroadcastOnly)
	case s.StallTimeout != 0:
		return s.StallTimeout, nil
	}
	return DefaultStallTimeout, nil
}
