package options

import (
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/certs"
)

// Role says which end the transport configuration is for.
type Role int

// The two ends.
const (
	Dialer Role = iota
	Listener
)

// Transport returns the connection configuration for one end. For a listener
// with a shared secret and no certificate, it makes an ephemeral self-signed
// certificate: the secret, not the certificate, authenticates the listener.
func (s *Settings) Transport(role Role) (*conn.Config, error) {
	cfg := &conn.Config{
		Insecure:         s.Insecure,
		Codec:            s.Codec.Name(),
		Capacity:         s.Buffer,
		MaxValue:         s.MaxMessageSize,
		HandshakeTimeout: s.HandshakeTimeout,
		IdleTimeout:      s.IdleTimeout,
		MaxConns:         s.MaxConns,
		ResumeWindow:     s.ResumeWindow,
		MaxStreams:       s.MaxStreams,
		MaxDetached:      s.MaxDetached,
		Logger:           s.Logger,
		OnError:          s.OnError,
		Dialer:           s.Dialer,
	}
	if s.HasSecret {
		cfg.Secret = []byte(s.Secret)
	}
	switch {
	case s.TLS != nil:
		cfg.TLS = s.TLS.Clone()
		cfg.TLS.MinVersion = tls.VersionTLS13
		if role == Listener && len(cfg.TLS.Certificates) == 0 && cfg.TLS.GetCertificate == nil && cfg.TLS.GetConfigForClient == nil {
			return nil, errors.New("netchan: WithTLS on a listener needs a certificate (Certificates or GetCertificate)")
		}
	case s.HasSecret && role == Listener:
		cert, err := certs.SelfSigned("netchan")
		if err != nil {
			return nil, fmt.Errorf("netchan: making an ephemeral certificate: %w", err)
		}
		cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert}}
	case s.HasSecret:
		// The listener's certificate is ephemeral and proves nothing; the
		// secret's proof, bound to this TLS session, authenticates it.
		cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true}
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	return cfg, nil
}
