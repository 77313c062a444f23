package testkit

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// Peer is a netchan dialer written by hand over plaintext TCP: it completes
// the handshake as an honest one would, and afterwards writes whatever
// bytes a test gives it, so tests can play a peer that breaks any rule a
// real netchan end keeps.
type Peer struct {
	tb testing.TB
	nc net.Conn
	// Hello is the listener's hello.
	Hello wire.Hello
}

// PeerHello returns the hello of an honest dialer with netchan's defaults:
// the CBOR codec, capacity 64, values up to 1 MiB, no idle timeout (so the
// listener sends it no pings).
func PeerHello() wire.Hello {
	return wire.Hello{
		Version:  wire.Version,
		Role:     wire.RoleDialer,
		Codec:    "cbor",
		Capacity: 64,
		MaxValue: 1 << 20,
	}
}

// DialPeer connects to the plaintext listener at addr, sends h and reads the
// listener's hello; it fails the test if the handshake does not complete.
// The test's cleanup closes the peer.
func DialPeer(tb testing.TB, addr string, h wire.Hello) *Peer {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", addr, Patience)
	if err != nil {
		tb.Fatal(err)
	}
	p := &Peer{tb: tb, nc: nc}
	tb.Cleanup(p.Close)
	if err := p.Write(Frame(wire.KindHello, 0, wire.AppendHello(nil, h))); err != nil {
		tb.Fatalf("peer: sending hello: %v", err)
	}
	hdr, payload, err := p.ReadFrame()
	if err != nil {
		tb.Fatalf("peer: reading the listener's hello: %v", err)
	}
	if hdr.Kind != wire.KindHello {
		tb.Fatalf("peer: the listener answered with a %s frame, not a hello", hdr.Kind)
	}
	if p.Hello, err = wire.ParseHello(payload); err != nil {
		tb.Fatalf("peer: the listener's hello: %v", err)
	}
	return p
}

// Frame returns a whole frame: header and payload.
func Frame(kind wire.Kind, stream uint32, payload []byte) []byte {
	b := wire.AppendHeader(nil, wire.Header{Kind: kind, Stream: stream})
	b = append(b, payload...)
	wire.PutLength(b, 0, len(payload))
	return b
}

// DataFrame returns a data frame carrying value with sequence number seq.
func DataFrame(stream uint32, seq uint64, value []byte) []byte {
	return Frame(wire.KindData, stream, append(wire.AppendDataPrefix(nil, seq), value...))
}

// Conn returns the peer's network connection.
func (p *Peer) Conn() net.Conn { return p.nc }

// Write sends b as it is, within Patience.
func (p *Peer) Write(b []byte) error {
	_ = p.nc.SetWriteDeadline(time.Now().Add(Patience))
	_, err := p.nc.Write(b)
	return err
}

// ReadFrame reads one frame, within Patience.
func (p *Peer) ReadFrame() (wire.Header, []byte, error) {
	_ = p.nc.SetReadDeadline(time.Now().Add(Patience))
	var hdr [wire.HeaderSize]byte
	if _, err := io.ReadFull(p.nc, hdr[:]); err != nil {
		return wire.Header{}, nil, err
	}
	h, err := wire.ParseHeader(hdr[:])
	if err != nil {
		return h, nil, err
	}
	if h.Length > 1<<20 {
		return h, nil, fmt.Errorf("peer: a %s frame of %d bytes is more than a test expects", h.Kind, h.Length)
	}
	payload := make([]byte, h.Length)
	_, err = io.ReadFull(p.nc, payload)
	return h, payload, err
}

// GoAway reads frames until the listener's goaway and returns it. It
// returns an error if the connection ends, or Patience passes, first.
func (p *Peer) GoAway() (wire.GoAway, error) {
	for {
		h, payload, err := p.ReadFrame()
		if err != nil {
			return wire.GoAway{}, fmt.Errorf("peer: no goaway before: %w", err)
		}
		if h.Kind == wire.KindGoAway {
			return wire.ParseGoAway(payload)
		}
	}
}

// Ended waits for the listener to close the connection, reading and
// discarding whatever arrives, and reports whether it did within Patience.
func (p *Peer) Ended() bool {
	_ = p.nc.SetReadDeadline(time.Now().Add(Patience))
	_, err := io.Copy(io.Discard, p.nc)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// Close closes the connection. It is idempotent.
func (p *Peer) Close() { _ = p.nc.Close() }
