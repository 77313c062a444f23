package conn

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// handshake secures nc if so configured, exchanges hellos and returns the
// connection. It closes nc on failure. release, if not nil, runs once when the
// connection ends (or now, if the handshake fails).
func handshake(ctx context.Context, nc net.Conn, cfg *Config, role wire.Role, release func()) (*Conn, error) {
	c, err := exchange(ctx, nc, cfg, role, release)
	if err != nil {
		if release != nil {
			release()
		}
		return nil, err
	}
	return c, nil
}

func exchange(ctx context.Context, nc net.Conn, cfg *Config, role wire.Role, release func()) (*Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.HandshakeTimeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	_ = nc.SetDeadline(deadline)
	// Cancelling ctx must interrupt a read or write in progress.
	// The callback keeps the raw connection: greet replaces nc by the TLS
	// one while the callback may run, and the raw deadline stops both.
	raw := nc
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	sc, peer, err := greet(ctx, nc, cfg, role)
	if !stop() {
		// ctx ended, and with it the deadline: even a finished greeting is
		// void, since the deadline may have cut a write short.
		err = fmt.Errorf("%w (%w)", cmp.Or(err, ErrHandshake), handshakeCtxErr(ctx))
	}
	if err != nil {
		_ = sc.Close()
		return nil, err
	}
	_ = sc.SetDeadline(time.Time{})
	return newConn(sc, cfg, peer, release), nil
}

// greet secures nc if so configured and exchanges hellos. It returns the
// secured connection.
func greet(ctx context.Context, nc net.Conn, cfg *Config, role wire.Role) (net.Conn, wire.Hello, error) {
	if cfg.TLS != nil {
		var tc *tls.Conn
		if role == wire.RoleDialer {
			tc = tls.Client(nc, cfg.TLS)
		} else {
			tc = tls.Server(nc, cfg.TLS)
		}
		if err := tc.HandshakeContext(ctx); err != nil {
			// A peer's first bytes that are no TLS record most likely come
			// from a netchan end configured with Insecure(): say so.
			if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
				return nc, wire.Hello{}, fmt.Errorf("%w: %s does not speak TLS (is it Insecure()?): %w", ErrHandshake, nc.RemoteAddr(), err)
			}
			return nc, wire.Hello{}, fmt.Errorf("%w: TLS with %s: %w", ErrHandshake, nc.RemoteAddr(), err)
		}
		if p := tc.ConnectionState().NegotiatedProtocol; role == wire.RoleDialer && p != ALPN {
			return tc, wire.Hello{}, fmt.Errorf("%w: %s does not speak netchan over TLS (it agreed to protocol %q, not %q)", ErrHandshake, nc.RemoteAddr(), p, ALPN)
		}
		nc = tc
	}
	local := wire.Hello{
		Version:  wire.Version,
		Role:     role,
		Codec:    cfg.Codec,
		Capacity: uint64(cfg.Capacity),
		MaxValue: uint64(cfg.MaxValue),
		Idle:     uint64(cfg.IdleTimeout.Milliseconds()),
	}
	if cfg.Secret != nil {
		var err error
		if local.Proof, err = proof(cfg.Secret, nc, role); err != nil {
			return nc, wire.Hello{}, err
		}
	}
	frame := wire.AppendHeader(nil, wire.Header{Kind: wire.KindHello})
	frame = wire.AppendHello(frame, local)
	wire.PutLength(frame, 0, len(frame)-wire.HeaderSize)
	// Each end writes its hello while it reads the peer's: over a
	// transport without buffers, such as net.Pipe, a write waits for the
	// peer's read, and two ends that both wrote first would wait for
	// ever. Reading also takes in what TLS sends after its handshake.
	wrote := make(chan error, 1)
	go func() {
		_, err := nc.Write(frame)
		wrote <- err
	}()
	peer, err := readHello(nc, cfg)
	if err != nil {
		// The peer will read nothing more: the write must not wait for it
		// until the deadline.
		_ = nc.SetWriteDeadline(time.Unix(1, 0))
	}
	if werr := <-wrote; werr != nil && err == nil {
		err = fmt.Errorf("%w: sending hello to %s: %w", ErrHandshake, nc.RemoteAddr(), werr)
	}
	if err == nil {
		err = check(cfg, local, peer, nc)
	}
	if err != nil && !errors.Is(err, errPeerRefused) {
		refuse(nc, err)
	}
	return nc, peer, err
}

// errPeerRefused marks a handshake the peer refused, to which this end does
// not answer with a refusal of its own.
var errPeerRefused = errors.New("refused by peer")

// readHello reads the peer's hello, without reading past it.
func readHello(nc net.Conn, cfg *Config) (wire.Hello, error) {
	var hdr [wire.HeaderSize]byte
	if _, err := io.ReadFull(nc, hdr[:]); err != nil {
		// A TLS listener that read a plaintext hello closes, or resets
		// when the hello was not read to its end.
		if cfg.TLS == nil && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)) {
			return wire.Hello{}, fmt.Errorf("%w: %s closed the connection during the handshake (does it require TLS?)", ErrHandshake, nc.RemoteAddr())
		}
		return wire.Hello{}, fmt.Errorf("%w: reading hello from %s: %w", ErrHandshake, nc.RemoteAddr(), err)
	}
	if cfg.TLS == nil && hdr[0] == 0x16 && hdr[1] == 0x03 {
		return wire.Hello{}, fmt.Errorf("%w: %s started a TLS handshake, but this end is Insecure()", ErrHandshake, nc.RemoteAddr())
	}
	h, err := wire.ParseHeader(hdr[:])
	switch {
	case err != nil:
		return wire.Hello{}, fmt.Errorf("%w: %s does not speak netchan: %w", ErrHandshake, nc.RemoteAddr(), err)
	case h.Kind == wire.KindGoAway && h.Length <= maxControl:
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(nc, p); err != nil {
			return wire.Hello{}, fmt.Errorf("%w: reading refusal from %s: %w", ErrHandshake, nc.RemoteAddr(), err)
		}
		g, err := wire.ParseGoAway(p)
		if err != nil {
			return wire.Hello{}, fmt.Errorf("%w: %s sent a malformed refusal: %w", ErrHandshake, nc.RemoteAddr(), err)
		}
		return wire.Hello{}, fmt.Errorf("%w: %w: %w", ErrHandshake, errPeerRefused, &GoAwayError{Code: g.Code, Reason: g.Reason})
	case h.Kind != wire.KindHello || h.Stream != 0 || h.Length > wire.MaxHelloSize:
		return wire.Hello{}, fmt.Errorf("%w: %s sent a %s frame of %d bytes where a hello belongs", ErrHandshake, nc.RemoteAddr(), h.Kind, h.Length)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(nc, p); err != nil {
		return wire.Hello{}, fmt.Errorf("%w: reading hello from %s: %w", ErrHandshake, nc.RemoteAddr(), err)
	}
	peer, err := wire.ParseHello(p)
	if err != nil {
		return wire.Hello{}, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	return peer, nil
}

// check decides whether this end talks to the peer.
func check(cfg *Config, local, peer wire.Hello, nc net.Conn) error {
	switch {
	case peer.Version != wire.Version:
		return fmt.Errorf("%w: peer speaks protocol version %d, this end %d", ErrHandshake, peer.Version, wire.Version)
	case peer.Role == local.Role:
		return fmt.Errorf("%w: peer is a %s too", ErrHandshake, peer.Role)
	case peer.Codec != local.Codec:
		return fmt.Errorf("%w: this end uses %q, the peer %q", ErrCodecMismatch, local.Codec, peer.Codec)
	case peer.MaxValue == 0:
		return fmt.Errorf("%w: peer accepts no value of any size", ErrHandshake)
	}
	if cfg.Secret == nil {
		if len(peer.Proof) != 0 {
			return fmt.Errorf("%w: the peer proves a shared secret, but this end has none (use WithSecret on both ends)", ErrAuth)
		}
		return nil
	}
	want, err := proof(cfg.Secret, nc, peer.Role)
	if err != nil {
		return err
	}
	if !proofEqual(peer.Proof, want) {
		if len(peer.Proof) == 0 {
			return fmt.Errorf("%w: the peer has no shared secret (use WithSecret on both ends)", ErrAuth)
		}
		return fmt.Errorf("%w: the peer does not know this end's secret, or a third party sits between the two", ErrAuth)
	}
	return nil
}

// refuse tells the peer why, best effort, before the connection closes.
func refuse(nc net.Conn, err error) {
	g := wire.GoAway{Code: codeOf(err), Reason: err.Error()}
	frame := wire.AppendHeader(nil, wire.Header{Kind: wire.KindGoAway})
	frame = wire.AppendGoAway(frame, g)
	wire.PutLength(frame, 0, len(frame)-wire.HeaderSize)
	_, _ = nc.Write(frame)
}

func handshakeCtxErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &timeoutError{"handshake"}
	}
	return context.Cause(ctx)
}
