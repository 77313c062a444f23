package conn

import (
	"context"
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
	var d net.Dialer
	nc, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("netchan: dial %s: %w", addr, err)
	}
	// One deadline for the dial and the handshake together.
	return handshake(dctx, nc, cfg, wire.RoleDialer, nil)
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
