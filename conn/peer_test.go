package conn

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// testConfig is an insecure configuration with small limits.
func testConfig() *Config {
	return &Config{
		Insecure:         true,
		Codec:            "cbor",
		Capacity:         2,
		MaxValue:         1024,
		HandshakeTimeout: testkit.Patience,
		Logger:           slog.New(slog.DiscardHandler),
	}
}

// frame is one frame as the raw peer read it.
type frame struct {
	wire.Header
	Payload []byte
}

// rawPeer is the far end of a connection, written by hand: it writes the
// frames a test scripts, right or wrong, and reads what the Conn sends.
type rawPeer struct {
	t  testing.TB
	nc net.Conn
}

func frameBytes(kind wire.Kind, stream uint32, payload []byte) []byte {
	b := wire.AppendHeader(nil, wire.Header{Length: uint32(len(payload)), Kind: kind, Stream: stream})
	return append(b, payload...)
}

func helloFrame(h wire.Hello) []byte {
	return frameBytes(wire.KindHello, 0, wire.AppendHello(nil, h))
}

func dataFrame(stream uint32, seq uint64, value string) []byte {
	return frameBytes(wire.KindData, stream, append(wire.AppendDataPrefix(nil, seq), value...))
}

func countFrame(kind wire.Kind, stream uint32, n uint64) []byte {
	return frameBytes(kind, stream, wire.AppendCount(nil, n))
}

func goAwayFrame(code wire.Code, reason string) []byte {
	return frameBytes(wire.KindGoAway, 0, wire.AppendGoAway(nil, wire.GoAway{Code: code, Reason: reason}))
}

// peerHello is the hello an honest peer of cfg in role sends.
func peerHello(cfg *Config, role wire.Role) wire.Hello {
	return wire.Hello{
		Version:  wire.Version,
		Role:     role,
		Codec:    cfg.Codec,
		Capacity: uint64(cfg.Capacity),
		MaxValue: uint64(cfg.MaxValue),
	}
}

// write sends bytes; a failure is the test's, since the Conn should be
// reading.
func (p *rawPeer) write(b ...[]byte) {
	p.t.Helper()
	for _, f := range b {
		if _, err := p.nc.Write(f); err != nil {
			p.t.Fatalf("raw peer write: %v", err)
		}
	}
}

// read reads the next frame, failing the test if none comes in time.
func (p *rawPeer) read() frame {
	p.t.Helper()
	f, err := p.tryRead()
	if err != nil {
		p.t.Fatalf("raw peer read: %v", err)
	}
	return f
}

func (p *rawPeer) tryRead() (frame, error) {
	_ = p.nc.SetReadDeadline(time.Now().Add(testkit.Patience))
	var hdr [wire.HeaderSize]byte
	if _, err := io.ReadFull(p.nc, hdr[:]); err != nil {
		return frame{}, err
	}
	h, err := wire.ParseHeader(hdr[:])
	if err != nil {
		return frame{}, err
	}
	if h.Length > 1<<16 {
		return frame{}, errors.New("raw peer: frame too large for a test")
	}
	f := frame{Header: h, Payload: make([]byte, h.Length)}
	_, err = io.ReadFull(p.nc, f.Payload)
	return f, err
}

// pipeConn makes a Conn of cfg in role over net.Pipe, handshaken with a raw
// peer. Both are closed when the test ends.
func pipeConn(t testing.TB, cfg *Config, role wire.Role) (*Conn, *rawPeer) {
	return pipeConnEdited(t, cfg, role, nil)
}

// pipeConnEdited is pipeConn with the peer's hello changed by edit, if not
// nil.
func pipeConnEdited(t testing.TB, cfg *Config, role wire.Role, edit func(h *wire.Hello)) (*Conn, *rawPeer) {
	t.Helper()
	a, b := net.Pipe()
	p := &rawPeer{t: t, nc: b}
	type result struct {
		c   *Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := handshake(context.Background(), a, cfg, role, nil)
		done <- result{c, err}
	}()
	p.readHelloFrame()
	h := peerHello(cfg, 3-role)
	if edit != nil {
		edit(&h)
	}
	p.write(helloFrame(h))
	r, _ := testkit.Recv(t, done)
	if r.err != nil {
		t.Fatalf("handshake: %v", r.err)
	}
	t.Cleanup(func() {
		_ = b.Close()
		_ = r.c.Close()
	})
	return r.c, p
}

// drain reads and drops what the Conn writes until the pipe closes, so the
// Conn's writer never blocks on a peer that only writes.
func (p *rawPeer) drain() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, p.nc)
	}()
	return done
}

// ended waits for c to end and returns its error.
func ended(t testing.TB, c *Conn) error {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(testkit.Patience):
		t.Fatalf("connection still open after %v", testkit.Patience)
	}
	return c.Err()
}

// wantErr fails unless err wraps each of targets.
func wantErr(t testing.TB, what string, err error, targets ...error) {
	t.Helper()
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Errorf("%s: error %v does not wrap %v", what, err, target)
		}
	}
}
