package conn

import (
	"bufio"
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"net"

	"github.com/netchan/netchan/internal/wire"
)

// Dial connects to a listener at addr, secures the connection as cfg says,
// and starts a session. ctx bounds the dial and the handshake only; the
// caller owns the returned Session and closes it. Dial does not retry: a
// session that started dials again by itself when its connection breaks,
// but a first dial that fails returns its error.
func Dial(ctx context.Context, addr string, cfg *Config) (*Session, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg = cfg.forDial(addr)
	dctx, cancel := context.WithTimeout(ctx, cfg.HandshakeTimeout)
	defer cancel()
	nc, err := cfg.dial(dctx, addr)
	if err != nil {
		if dctx.Err() != nil {
			// A dialer reports a cancelled ctx as such, without the cause.
			err = fmt.Errorf("%w (%w)", err, whyEnded(dctx))
		}
		return nil, fmt.Errorf("%w: dial %s: %w", ErrHandshake, addr, err)
	}
	var (
		c           *carrier
		local, peer wire.Hello
		secret      []byte
	)
	err = bounded(dctx, nc, func() error {
		var err error
		c, local, peer, err = dialHandshake(dctx, nc, cfg, nil)
		if err == nil {
			secret, err = sessionSecret(c.nc, local, peer)
		}
		return err
	})
	if err != nil {
		_ = nc.Close()
		return nil, withPeer(err, nc.RemoteAddr().String())
	}
	s := newSession(cfg, wire.RoleDialer, local, peer, secret)
	s.addr = addr
	s.start(c)
	return s, nil
}

// resumeOf is what a dialer's hello says to resume a session.
type resumeOf struct {
	s       *Session
	counter uint64
}

// dialHandshake secures nc and exchanges hellos as a dialer, starting a
// session or, with r, resuming one. It returns the connection, ready for
// the session's frames.
func dialHandshake(ctx context.Context, nc net.Conn, cfg *Config, r *resumeOf) (c *carrier, local, peer wire.Hello, err error) {
	sc, err := secure(ctx, nc, cfg, wire.RoleDialer)
	if err != nil {
		return nil, local, peer, err
	}
	if local, err = cfg.hello(sc, wire.RoleDialer); err != nil {
		return nil, local, peer, err
	}
	if r == nil {
		local.Nonce = random(wire.NonceSize)
	} else {
		local.Session, local.Counter = r.s.id, r.counter
		local.Received = r.s.received.Load()
		if local.MAC, err = resumeMAC(r.s.secret, sc, wire.RoleDialer, r.s.id, r.counter); err != nil {
			return nil, local, peer, err
		}
	}
	// The hello is written while the listener's is read: over a transport
	// without buffers, such as net.Pipe, a write waits for the peer's
	// read, and reading takes in what TLS sends after its handshake.
	wrote := make(chan error, 1)
	go func() { wrote <- writeHello(sc, local) }()
	br := bufio.NewReaderSize(sc, readBuffer)
	peer, err = readHello(br, sc, cfg)
	if err == nil {
		err = agree(cfg, local, peer, sc)
	}
	if err == nil && r != nil {
		err = r.s.checkResumed(sc, peer, r.counter)
	}
	if err == nil && r == nil && (len(peer.Session) == 0 || len(peer.Nonce) == 0) {
		err = fmt.Errorf("%w: %s started no session", ErrHandshake, sc.RemoteAddr())
	}
	if err != nil {
		// The peer will read nothing more: the write must not wait for it.
		_ = nc.SetWriteDeadline(deadlinePassed)
	}
	if werr := <-wrote; werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		if !errors.Is(err, errPeerRefused) {
			_ = nc.SetWriteDeadline(soon())
			refuse(sc, err)
		}
		return nil, local, peer, err
	}
	return newCarrier(sc, nc, br), local, peer, nil
}

// checkResumed checks a listener's answer to a resume: the same session,
// and the listener's own proof that it holds it.
func (s *Session) checkResumed(nc net.Conn, peer wire.Hello, counter uint64) error {
	if !hmac.Equal(peer.Session, s.id) || peer.Counter != counter {
		return fmt.Errorf("%w: %s answered a resume with another session", ErrHandshake, nc.RemoteAddr())
	}
	want, err := resumeMAC(s.secret, nc, wire.RoleListener, s.id, counter)
	if err != nil {
		return err
	}
	if !hmac.Equal(peer.MAC, want) {
		return fmt.Errorf("%w: %s does not hold the session it resumed", ErrAuth, nc.RemoteAddr())
	}
	if peer.Capacity != s.peer.Capacity || peer.MaxValue != s.peer.MaxValue || peer.MaxStreams != s.peer.MaxStreams ||
		peer.Window != s.peer.Window || peer.TypeShape != s.peer.TypeShape {
		return fmt.Errorf("%w: %s resumed the session with other settings", ErrHandshake, nc.RemoteAddr())
	}
	return nil
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
	cc.TLS.NextProtos = []string{ALPN, alpnV1}
	if cc.TLS.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cc.TLS.ServerName = host
		}
	}
	return &cc
}

// forListen returns cfg with the TLS settings every netchan listener uses.
// It accepts the first version's protocol name too, so that such a peer
// reads a refusal that names the versions rather than a TLS alert.
func (c *Config) forListen() *Config {
	if c.TLS == nil {
		return c
	}
	cc := *c
	cc.TLS = c.TLS.Clone()
	cc.TLS.NextProtos = []string{ALPN, alpnV1}
	return &cc
}
