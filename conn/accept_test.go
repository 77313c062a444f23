package conn

import (
	"context"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// emfileListener fails its first Accept with EMFILE, as a process out of
// file descriptors does, then behaves.
type emfileListener struct {
	net.Listener
	failed atomic.Bool
}

func (l *emfileListener) Accept() (net.Conn, error) {
	if !l.failed.Swap(true) {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// A passing shortage of file descriptors must not end the listener.
func TestAcceptSurvivesEMFILE(t *testing.T) {
	nl := &emfileListener{Listener: testkit.Loopback(t)}
	l, err := Serve(nl, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	dialed := make(chan *Session, 1)
	go func() {
		c, _ := Dial(ctx, nl.Addr().String(), testConfig())
		dialed <- c
	}()
	c, err := l.Accept(ctx)
	if d := <-dialed; d != nil {
		_ = d.Close()
	}
	if err != nil {
		t.Fatalf("Accept after one EMFILE: %v", err)
	}
	_ = c.Close()
}
