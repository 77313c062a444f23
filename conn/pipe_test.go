package conn

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// pipeListener is a net.Listener whose connections are net.Pipe ends that
// a test hands it: a Listener without a socket, for fuzzing.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// dial returns the far end of a new connection the listener accepts.
func (l *pipeListener) dial() (net.Conn, bool) {
	a, b := net.Pipe()
	select {
	case l.conns <- a:
		return b, true
	case <-l.done:
		return nil, false
	}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// pipeDialer returns a Dialer whose connections are net.Pipe ends, and
// the channel on which it hands out their far ends.
func pipeDialer() (func(context.Context, string) (net.Conn, error), <-chan net.Conn) {
	far := make(chan net.Conn, 1)
	return func(ctx context.Context, _ string) (net.Conn, error) {
		a, b := net.Pipe()
		select {
		case far <- b:
			return a, nil
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}, far
}

// pipeSession returns a Session of cfg in role, handshaken over net.Pipe
// with an honest raw peer of the same settings, and a function that ends
// what the Session does not own. Resume is off, so the peer's hanging up
// ends the session.
func pipeSession(t testing.TB, role wire.Role, cfg *Config) (*Session, *rawPeer, func()) {
	t.Helper()
	cfg.ResumeWindow = 0
	if role == wire.RoleListener {
		pl := newPipeListener()
		l, err := Serve(pl, cfg)
		if err != nil {
			t.Fatal(err)
		}
		nc, _ := pl.dial()
		p := &rawPeer{t: t, role: wire.RoleDialer, cfg: cfg, raw: nc, nc: nc}
		h := p.hello()
		p.local = h
		go p.tryWrite(helloFrame(h)) // net.Pipe: the write waits for the read
		if _, err := p.readHello(); err != nil {
			t.Fatal(err)
		}
		s, err := l.Accept(patience(t))
		if err != nil {
			t.Fatal(err)
		}
		return s, p, func() { _ = l.Close() }
	}
	dialer, far := pipeDialer()
	cfg.Dialer = dialer
	dialed := dialAsync("pipe", cfg)
	nc, _ := testkit.Recv(t, far)
	p := &rawPeer{t: t, role: wire.RoleListener, cfg: cfg, raw: nc, nc: nc}
	if _, err := p.readHello(); err != nil {
		t.Fatal(err)
	}
	p.sendHello(p.hello())
	r, _ := testkit.Recv(t, dialed)
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.s, p, func() {}
}
