package conn

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// The idle timeout bounds a write that makes no progress, not the time a
// large batch takes to reach a slow but steady reader.
func TestSlowSteadyReaderIsNotStalled(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 64
	cfg.MaxValue = 1 << 20
	cfg.IdleTimeout = 300 * time.Millisecond
	l, _ := serve(t, cfg)
	p := testkit.DialPeer(t, l.Addr().String(), testkit.PeerHello())
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	c, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	const values = 8
	value := make([]byte, 1<<20-16)
	total := values * (wire.HeaderSize + 1 + len(value)) // seq < 128: one byte
	stop := make(chan struct{})
	defer close(stop)
	// Pings keep this end's idle timeout at bay while the peer reads.
	go func() {
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				if p.Write(testkit.Frame(wire.KindPing, 0, nil)) != nil {
					return
				}
			}
		}
	}()
	// The peer reads 64 KiB every 10ms, about 6 MB/s: all 8 MiB take over
	// a second, several times the idle timeout, and it never stops.
	read := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for left := total; left > 0; {
			select {
			case <-stop:
				read <- nil
				return
			case <-time.After(10 * time.Millisecond):
			}
			_ = p.Conn().SetReadDeadline(time.Now().Add(testkit.Patience))
			n, err := io.ReadFull(p.Conn(), buf[:min(len(buf), left)])
			if err != nil {
				read <- err
				return
			}
			left -= n
		}
		read <- nil
	}()
	s := c.Stream()
	for range values {
		if err := s.Reserve(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Send(value); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if err, _ := testkit.Recv(t, read); err != nil {
		t.Fatalf("the peer could not read everything: %v; connection: %v", err, c.Err())
	}
	if err := c.Err(); err != nil {
		t.Fatalf("connection to a peer that read steadily ended: %v", err)
	}
}
