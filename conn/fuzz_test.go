package conn

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// readerSeeds are frame sequences an honest or a broken peer might send
// after the handshake.
func readerSeeds() [][]byte {
	cat := func(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
	return [][]byte{
		cat(dataFrame(MainStream, 0, "a"), dataFrame(MainStream, 1, "b"), countFrame(wire.KindClose, MainStream, 2)),
		cat(dataFrame(MainStream, 0, "a"), goAwayFrame(wire.CodeNormal, "bye")),
		countFrame(wire.KindCredit, MainStream, 1),
		cat(countFrame(wire.KindClose, MainStream, 0), countFrame(wire.KindClose, MainStream, 0)),
		cat(dataFrame(MainStream, 0, "a"), dataFrame(MainStream, 1, "b"), dataFrame(MainStream, 2, "c")),
		dataFrame(9, 0, "stray"),
		helloFrame(peerHello(testConfig(), wire.RoleDialer)),
		goAwayFrame(wire.CodeProtocol, "you broke it"),
		wire.AppendHeader(nil, wire.Header{Length: 0xFFFFFFFF, Kind: wire.KindData, Stream: MainStream}),
		dataFrame(MainStream, 0, "truncated")[:12],
	}
}

// FuzzReader feeds a handshaken Conn arbitrary bytes as frames from its
// peer, who then hangs up. The Conn must not panic, must end within
// testkit.Patience, and must say why with an error of its own kind. Each
// input is read twice: by the reader goroutine of a buffered connection,
// and on a rendezvous connection, where a goroutine waiting for values
// reads them itself.
func FuzzReader(f *testing.F) {
	for _, s := range readerSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, capacity := range []int{2, 0} {
			cfg := testConfig()
			cfg.Capacity = capacity
			c, p := pipeConn(t, cfg, wire.RoleListener)
			drained := p.drain()
			received := make(chan struct{})
			go func() {
				defer close(received)
				for {
					m, err := c.Stream().Next(context.Background())
					if err != nil {
						return
					}
					m.Release()
					c.Stream().Take()
				}
			}()
			_, _ = p.nc.Write(b) // fails once the Conn gave up and closed the pipe
			_ = p.nc.Close()
			err := ended(t, c)
			<-drained
			<-received
			if !classified(err) {
				t.Fatalf("capacity %d: connection ended with an unclassified error: %v", capacity, err)
			}
		}
	})
}

func classified(err error) bool {
	for _, known := range []error{ErrProtocol, ErrTooLarge, ErrConnLost, ErrPeerClosed, ErrLimit, ErrHandshake} {
		if errors.Is(err, known) {
			return true
		}
	}
	return false
}

// FuzzHandshake gives arbitrary bytes as the peer's side of a handshake. The
// handshake must fail with a classified error or succeed, and return within
// the handshake timeout plus a margin.
func FuzzHandshake(f *testing.F) {
	cfg := testConfig()
	hello := helloFrame(peerHello(cfg, wire.RoleDialer))
	f.Add(hello)
	f.Add(append(bytes.Clone(hello), dataFrame(MainStream, 0, "early")...))
	f.Add(helloFrame(peerHello(cfg, wire.RoleListener)))
	f.Add(helloFrame(wire.Hello{Version: 9, Role: wire.RoleDialer, Codec: "gob", Capacity: 1 << 20, MaxValue: 1, Proof: make([]byte, 32)}))
	f.Add(goAwayFrame(wire.CodeRefused, "no"))
	f.Add(goAwayFrame(wire.CodeLimit, "full"))
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x10, 0x01, 0x00, 0x00, 0x0c})
	f.Add(hello[:len(hello)-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg := testConfig()
		cfg.HandshakeTimeout = 200 * time.Millisecond
		a, peer := net.Pipe()
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			c, err := handshake(context.Background(), a, cfg, wire.RoleListener, nil)
			if c != nil {
				_ = c.Close()
			}
			done <- err
		}()
		p := &rawPeer{t: t, nc: peer}
		drained := p.drain()
		_, _ = peer.Write(b)
		_ = peer.Close()
		<-drained
		select {
		case err := <-done:
			if took := time.Since(start); took > cfg.HandshakeTimeout+testkit.Patience {
				t.Fatalf("handshake took %v", took)
			}
			if err == nil {
				return
			}
			var g *GoAwayError
			if errors.Is(err, ErrHandshake) || errors.Is(err, ErrCodecMismatch) || errors.Is(err, ErrAuth) || errors.As(err, &g) {
				return
			}
			t.Fatalf("handshake failed with an unclassified error: %v", err)
		case <-time.After(cfg.HandshakeTimeout + testkit.Patience):
			t.Fatal("handshake did not return")
		}
	})
}
