package conn

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/netchan/netchan/internal/wire"
)

// Dial connects to a listener at addr, secures the connection as cfg says,
// and runs the handshake. ctx bounds the dial and the handshake only; the
// caller owns the returned Conn and closes it.
func Dial(ctx context.Context, addr string, cfg *Config) (*Conn, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg = cfg.forDial(addr)
	dctx, cancel := context.WithTimeout(ctx, cfg.HandshakeTimeout)
	defer cancel()
	nc, err := cfg.dial(dctx, addr)
	if err != nil {
		return nil, fmt.Errorf("netchan: dial %s: %w", addr, err)
	}
	// One deadline for the dial and the handshake together.
	return handshake(dctx, nc, cfg, wire.RoleDialer, nil)
}

// dial makes the network connection: with the Dialer, if set, or over TCP.
// A Dialer that returns neither a connection nor an error is a bug in it,
// reported as an error rather than a panic later.
func (c *Config) dial(ctx context.Context, addr string) (net.Conn, error) {
	if c.Dialer == nil {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	nc, err := c.Dialer(ctx, addr)
	if err == nil && nc == nil {
		err = errors.New("the dialer returned no connection and no error")
	}
	if err != nil && nc != nil {
		_ = nc.Close()
	}
	return nc, err
}

// forDial returns cfg with the TLS settings every netchan client uses: TLS
// 1.3, the netchan protocol name, and the host to verify.
func (c *Config) forDial(addr string) *Config {
	if c.TLS == nil {
		return c
	}
	cc := *c
	cc.TLS = c.TLS.Clone()
	cc.TLS.NextProtos = []string{ALPN}
	if cc.TLS.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cc.TLS.ServerName = host
		}
	}
	return &cc
}

// forListen returns cfg with the TLS settings every netchan listener uses.
func (c *Config) forListen() *Config {
	if c.TLS == nil {
		return c
	}
	cc := *c
	cc.TLS = c.TLS.Clone()
	cc.TLS.NextProtos = []string{ALPN}
	return &cc
}
