package conn

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/netchan/netchan/internal/shape"
	"github.com/netchan/netchan/internal/wire"
)

// The handshake, whether it starts a session or resumes one: the dialer
// secures the connection, sends its hello and reads the listener's, which
// the listener sends only once it read the dialer's, so that it can answer
// a resume. A listener refuses what only it can judge (a session it does
// not hold, a resume proof that does not fit, its connection limit) with a
// goaway in place of its hello. Every other check depends on the two hellos
// alike, so both ends reach the same verdict, each with its own precise
// error; an end that refuses also says why in a goaway.

// bounded runs f with nc's deadline set to ctx's, and makes ctx's end
// interrupt a read or write in progress. It returns f's error, or ctx's
// cause if ctx ended first: even a finished f is void then, since the
// deadline may have cut a write short.
func bounded(ctx context.Context, nc net.Conn, f func() error) error {
	deadline, _ := ctx.Deadline()
	_ = nc.SetDeadline(deadline)
	// The callback keeps the raw connection: f may wrap it in TLS, and the
	// raw deadline stops both.
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(deadlinePassed) })
	err := f()
	if !stop() {
		if err == nil {
			err = ErrHandshake
		}
		return fmt.Errorf("%w (%w)", err, whyEnded(ctx))
	}
	if err == nil {
		_ = nc.SetDeadline(time.Time{})
	}
	return err
}

// whyEnded says why a handshake's ctx ended: the handshake timeout, as a
// net.Error, or the cause the caller gave.
func whyEnded(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return &timeoutError{"handshake"}
	}
	return context.Cause(ctx)
}

// secure runs TLS over nc if so configured, and returns the connection the
// hellos go over.
func secure(ctx context.Context, nc net.Conn, cfg *Config, role wire.Role) (net.Conn, error) {
	if cfg.TLS == nil {
		return nc, nil
	}
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
			return nil, fmt.Errorf("%w: %s does not speak TLS (is it Insecure()?): %w", ErrHandshake, nc.RemoteAddr(), err)
		}
		return nil, fmt.Errorf("%w: TLS with %s: %w", ErrHandshake, nc.RemoteAddr(), err)
	}
	if p := tc.ConnectionState().NegotiatedProtocol; role == wire.RoleDialer && p == alpnV1 {
		return nil, fmt.Errorf("%w: %s speaks netchan protocol version 1, this end version %d", ErrHandshake, nc.RemoteAddr(), wire.Version)
	} else if role == wire.RoleDialer && p != ALPN {
		return nil, fmt.Errorf("%w: %s does not speak netchan %d over TLS (it agreed to protocol %q, not %q)", ErrHandshake, nc.RemoteAddr(), wire.Version, p, ALPN)
	}
	return tc, nil
}

// hello returns this end's hello on nc, before the session fields.
func (cfg *Config) hello(nc net.Conn, role wire.Role) (wire.Hello, error) {
	h := wire.Hello{
		Version:    wire.Version,
		Role:       role,
		Codec:      cfg.Codec,
		Capacity:   uint64(cfg.Capacity),
		MaxValue:   uint64(cfg.MaxValue),
		Idle:       uint64(cfg.IdleTimeout.Milliseconds()),
		Window:     uint64(cfg.ResumeWindow.Milliseconds()),
		MaxStreams: uint64(cfg.MaxStreams),
		TypeName:   cfg.TypeName,
		TypeShape:  cfg.TypeShape,
	}
	if cfg.Secret != nil {
		var err error
		if h.Proof, err = proof(cfg.Secret, nc, role); err != nil {
			return h, err
		}
	}
	return h, nil
}

// deadlinePassed, set as a deadline, cuts short a read or write at once.
var deadlinePassed = time.Unix(1, 0)

// soon is the deadline of a last, best-effort write: a refusal.
func soon() time.Time { return time.Now().Add(time.Second) }

// random returns n random bytes.
func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

// writeHello writes a hello frame.
func writeHello(nc net.Conn, h wire.Hello) error {
	frame := appendFrame(nil, wire.KindHello, 0, func(b []byte) []byte { return wire.AppendHello(b, h) })
	if _, err := nc.Write(frame); err != nil {
		return fmt.Errorf("%w: sending hello to %s: %w", ErrHandshake, nc.RemoteAddr(), err)
	}
	return nil
}

// errPeerRefused marks a handshake the peer refused, to which this end does
// not answer with a refusal of its own.
var errPeerRefused = errors.New("refused by peer")

// readHello reads the peer's first frame, a hello or a refusal, without
// reading past it.
func readHello(br *bufio.Reader, nc net.Conn, cfg *Config) (wire.Hello, error) {
	hdr, err := br.Peek(wire.HeaderSize)
	if err != nil {
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
	h, err := wire.ParseHeader(hdr)
	switch {
	case err != nil:
		return wire.Hello{}, fmt.Errorf("%w: %s does not speak netchan: %w", ErrHandshake, nc.RemoteAddr(), err)
	case h.Kind == wire.KindGoAway && h.Length <= maxControl:
		p, err := readPayload(br, h)
		if err != nil {
			return wire.Hello{}, fmt.Errorf("%w: reading refusal from %s: %w", ErrHandshake, nc.RemoteAddr(), err)
		}
		g, err := wire.ParseGoAway(p)
		if err != nil {
			return wire.Hello{}, fmt.Errorf("%w: %s sent a malformed refusal: %w", ErrHandshake, nc.RemoteAddr(), err)
		}
		return wire.Hello{}, fmt.Errorf("%w: %s %w: %w", ErrHandshake, nc.RemoteAddr(), errPeerRefused, goAwayError(g))
	case h.Kind != wire.KindHello || h.Stream != 0 || h.Length > wire.MaxHelloSize:
		return wire.Hello{}, fmt.Errorf("%w: %s sent a %s frame of %d bytes where a hello belongs", ErrHandshake, nc.RemoteAddr(), h.Kind, h.Length)
	}
	p, err := readPayload(br, h)
	if err != nil {
		return wire.Hello{}, fmt.Errorf("%w: reading hello from %s: %w", ErrHandshake, nc.RemoteAddr(), err)
	}
	peer, err := wire.ParseHello(p)
	if err != nil {
		return peer, fmt.Errorf("%w: %s: %w", ErrHandshake, nc.RemoteAddr(), err)
	}
	return peer, nil
}

// readPayload reads the frame whose header br holds, and returns its
// payload.
func readPayload(br *bufio.Reader, h wire.Header) ([]byte, error) {
	frame := make([]byte, wire.HeaderSize+int(h.Length))
	if _, err := io.ReadFull(br, frame); err != nil {
		return nil, err
	}
	return frame[wire.HeaderSize:], nil
}

// agree decides whether this end talks to the peer. Every check depends on
// the two hellos alike, so the peer decides the same.
func agree(cfg *Config, local, peer wire.Hello, nc net.Conn) error {
	addr := nc.RemoteAddr()
	switch {
	case peer.Role == local.Role:
		return fmt.Errorf("%w: %s is a %s too", ErrHandshake, addr, peer.Role)
	case peer.Codec != local.Codec:
		return fmt.Errorf("%w: this end uses %q, %s uses %q", ErrCodecMismatch, local.Codec, addr, peer.Codec)
	case peer.MaxValue == 0 || local.MaxValue == 0:
		return fmt.Errorf("%w: %s accepts no value of any size", ErrHandshake, addr)
	case !shape.Agree(local.TypeShape, peer.TypeShape):
		return fmt.Errorf("%w: this end carries %s, %s carries %s", ErrTypeMismatch, local.TypeName, addr, peer.TypeName)
	}
	if cfg.Secret == nil {
		if len(peer.Proof) != 0 {
			return fmt.Errorf("%w: %s proves a shared secret, but this end has none (use WithSecret on both ends)", ErrAuth, addr)
		}
		return nil
	}
	want, err := proof(cfg.Secret, nc, peer.Role)
	if err != nil {
		return err
	}
	if !hmac.Equal(peer.Proof, want) {
		if len(peer.Proof) == 0 {
			return fmt.Errorf("%w: %s has no shared secret (use WithSecret on both ends)", ErrAuth, addr)
		}
		return fmt.Errorf("%w: %s does not know this end's secret, or a third party sits between the two", ErrAuth, addr)
	}
	return nil
}

// refuse tells the peer why, best effort.
func refuse(nc net.Conn, err error) {
	g := wire.GoAway{Code: codeOf(err), Reason: err.Error()}
	frame := appendFrame(nil, wire.KindGoAway, 0, func(b []byte) []byte { return wire.AppendGoAway(b, g) })
	_, _ = nc.Write(frame)
}
