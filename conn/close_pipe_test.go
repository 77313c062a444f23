package conn

import (
	"context"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// timedOutPipe is a net.Pipe end that counts the writes that ran into
// their deadline.
type timedOutPipe struct {
	net.Conn
	timeouts *atomic.Int32
}

func (p timedOutPipe) Write(b []byte) (int, error) {
	n, err := p.Conn.Write(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		p.timeouts.Add(1)
	}
	return n, err
}

// A session that ends cleanly over a transport whose writes wait for the
// peer to read, as net.Pipe's do, reads on until the peer's end of stream,
// so that neither end's last write (TLS's close_notify, after the goodbye)
// waits out a deadline for a reader that stopped: whichever end closes,
// over TLS and in plaintext.
func TestCloseOverPipe(t *testing.T) {
	trust := testkit.NewTrust(t)
	for _, trusted := range []bool{true, false} {
		for _, closer := range []string{"dialer", "listener"} {
			name := "plaintext/" + closer
			if trusted {
				name = "tls/" + closer
			}
			t.Run(name, func(t *testing.T) {
				lcfg, dcfg := testConfig(), testConfig()
				if trusted {
					lcfg, dcfg = tlsConfigs(trust, "", "")
					dcfg.TLS.ServerName = "localhost" // a pipe has no host name
				}
				var timeouts atomic.Int32
				pl := newPipeListener()
				l, err := Serve(pl, lcfg)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
				dcfg.Dialer = func(ctx context.Context, _ string) (net.Conn, error) {
					a, b := net.Pipe()
					select {
					case pl.conns <- timedOutPipe{a, &timeouts}:
						return timedOutPipe{b, &timeouts}, nil
					case <-ctx.Done():
						return nil, context.Cause(ctx)
					}
				}
				d, err := Dial(patience(t), "pipe", dcfg)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				a, err := l.Accept(patience(t))
				if err != nil {
					t.Fatal(err)
				}
				defer a.Close()
				from, to := d, a
				if closer == "listener" {
					from, to = a, d
				}
				ctx := patience(t)
				if err := sendInts(ctx, from.Main(), 0, 2); err != nil {
					t.Fatal(err)
				}
				if err := recvInts(ctx, to.Main(), 0, 2); err != nil {
					t.Fatal(err)
				}
				if err := from.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if err := ended(t, to); !errors.Is(err, ErrPeerClosed) {
					t.Fatalf("the peer ended with %v, want ErrPeerClosed", err)
				}
				_ = to.Close()
				if n := timeouts.Load(); n != 0 {
					t.Fatalf("%d writes waited out their deadline for a peer that no longer read", n)
				}
			})
		}
	}
}
