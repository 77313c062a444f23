package netchan_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// A listener on a unix socket, found by OnListen, and a dialer that reaches
// it through WithDialer, with the address passed through unchanged.
func TestDialerUnixSocket(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "netchan.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var bound net.Addr
	ls, lr, err := netchan.Listen[string](ctx, "", netchan.WithListener(ln), netchan.Insecure(),
		netchan.OnListen(func(a net.Addr) { bound = a }))
	if err != nil {
		t.Fatal(err)
	}
	if bound == nil || bound.String() != path {
		t.Fatalf("OnListen got %v, want %s", bound, path)
	}
	var gotAddr atomic.Value
	dialer := func(ctx context.Context, addr string) (net.Conn, error) {
		gotAddr.Store(addr)
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
	ds, dr, err := netchan.Dial[string](ctx, "the-socket", netchan.WithDialer(dialer), netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	if a := gotAddr.Load(); a != "the-socket" {
		t.Fatalf("the dialer got address %v, want Dial's own", a)
	}
	testkit.Send(t, ds, "ping")
	if v, _ := testkit.Recv(t, lr); v != "ping" {
		t.Fatalf("listener received %q", v)
	}
	testkit.Send(t, ls, "pong")
	if v, _ := testkit.Recv(t, dr); v != "pong" {
		t.Fatalf("dialer received %q", v)
	}
}

// OnListen tells a listener on ":0" its port, through the channel API and
// through typed, before Listen returns.
func TestOnListenPort(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var addr net.Addr
	if _, _, err := netchan.Listen[int](ctx, "127.0.0.1:0", netchan.Insecure(),
		netchan.OnListen(func(a net.Addr) { addr = a })); err != nil {
		t.Fatal(err)
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.Port == 0 {
		t.Fatalf("OnListen got %v, want a bound TCP address", addr)
	}
	send, _, err := netchan.Dial[int](ctx, addr.String(), netchan.Insecure())
	if err != nil {
		t.Fatalf("dialing the address OnListen gave: %v", err)
	}
	close(send)

	var typedAddr net.Addr
	l, err := typed.Listen[int](ctx, "127.0.0.1:0", netchan.Insecure(), netchan.OnListen(func(a net.Addr) { typedAddr = a }))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if typedAddr == nil || typedAddr.String() != l.Addr().String() {
		t.Fatalf("typed OnListen got %v, want %v", typedAddr, l.Addr())
	}
}

// WithDialer over net.Pipe: a transport that has no address at all, with
// each trust mode running inside it. "pipe" is no host name, so the TLS
// dialers set the name to verify.
func TestDialerPipe(t *testing.T) {
	trust := testkit.NewTrust(t)
	named := func(cfg *tls.Config) *tls.Config {
		cfg = cfg.Clone()
		cfg.ServerName = "localhost"
		return cfg
	}
	secret := netchan.NewSecret()
	for _, tr := range []transport{
		{"tls", []netchan.Option{netchan.WithTLS(trust.Server)}, []netchan.Option{netchan.WithTLS(named(trust.Client))}},
		{"mtls", []netchan.Option{netchan.WithTLS(trust.MutualServer)}, []netchan.Option{netchan.WithTLS(named(trust.MutualClient))}},
		{"secret", []netchan.Option{netchan.WithSecret(secret)}, []netchan.Option{netchan.WithSecret(secret)}},
		{"insecure", []netchan.Option{netchan.Insecure()}, []netchan.Option{netchan.Insecure()}},
	} {
		t.Run(tr.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pl := newPipeListener()
			ls, lr, err := netchan.Listen[int](ctx, "", append([]netchan.Option{netchan.WithListener(pl)}, tr.listen...)...)
			if err != nil {
				t.Fatal(err)
			}
			ds, dr, err := netchan.Dial[int](ctx, "pipe", append([]netchan.Option{netchan.WithDialer(pl.dial)}, tr.dialer...)...)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 100 {
				testkit.Send(t, ds, i)
				if v, _ := testkit.Recv(t, lr); v != i {
					t.Fatalf("listener received %d, want %d", v, i)
				}
				testkit.Send(t, ls, -i)
				if v, _ := testkit.Recv(t, dr); v != -i {
					t.Fatalf("dialer received %d, want %d", v, -i)
				}
			}
			// Both ends close theirs, and every goroutine stops.
			close(ds)
			close(ls)
			if _, ok := testkit.Recv(t, dr); ok {
				t.Fatal("the dialer received a value after the listener's close")
			}
			cancel()
			for range lr {
			}
		})
	}
}

// Dial's error wraps the dialer's, a first dial that fails is not tried
// again, and a dialer's connection is closed when the handshake fails.
func TestDialerErrors(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("no route to the moon")
	var dials atomic.Int32
	_, _, err := netchan.Dial[int](ctx, "moon", netchan.Insecure(),
		netchan.WithDialer(func(context.Context, string) (net.Conn, error) { dials.Add(1); return nil, boom }))
	if !errors.Is(err, boom) {
		t.Fatalf("Dial: %v, want it to wrap the dialer's error", err)
	}
	if n := dials.Load(); n != 1 {
		t.Fatalf("a failed first dial was tried %d times; want once", n)
	}
	if _, _, err := netchan.Dial[int](ctx, "x", netchan.WithDialer(nil), netchan.Insecure()); err == nil {
		t.Fatal("WithDialer(nil) accepted")
	}

	// A peer that never answers: the dialer's ctx ends with the handshake
	// timeout, and netchan closes the connection the dialer gave it.
	closed := make(chan struct{})
	var dialCtxEnded atomic.Bool
	silent := func(ctx context.Context, addr string) (net.Conn, error) {
		a, b := net.Pipe()
		go func() {
			<-ctx.Done()
			dialCtxEnded.Store(true)
		}()
		go func() {
			// Read what the dialer sends, answer nothing, and notice the close.
			buf := make([]byte, 512)
			for {
				if _, err := b.Read(buf); err != nil {
					close(closed)
					return
				}
			}
		}()
		return a, nil
	}
	start := time.Now()
	_, _, err = netchan.Dial[int](ctx, "silent", netchan.Insecure(), netchan.WithDialer(silent),
		netchan.WithHandshakeTimeout(100*time.Millisecond))
	if err == nil {
		t.Fatal("Dial to a silent peer succeeded")
	}
	if time.Since(start) > testkit.Patience {
		t.Fatalf("Dial took %v", time.Since(start))
	}
	select {
	case <-closed:
	case <-time.After(testkit.Patience):
		t.Fatal("netchan did not close the connection the dialer returned")
	}
	testkit.Eventually(t, "the dialer's ctx to end", dialCtxEnded.Load)
}

// pipeListener is a net.Listener whose connections are net.Pipes made by
// its dial method.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  atomic.Bool
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) dial(ctx context.Context, _ string) (net.Conn, error) {
	a, b := net.Pipe()
	select {
	case l.conns <- b:
		return a, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-l.done:
		return nil, net.ErrClosed
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
	if l.once.CompareAndSwap(false, true) {
		close(l.done)
	}
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// A Dial whose ctx is cancelled while its network connection is being made
// fails with the ctx's cause, through both APIs.
func TestDialCancelledCause(t *testing.T) {
	cause := errors.New("the operator gave up")
	dialing := make(chan struct{}, 1)
	waiting := func(ctx context.Context, _ string) (net.Conn, error) {
		dialing <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err() // as net.Dialer does: the cause is not in it
	}
	dials := map[string]func(ctx context.Context) error{
		"channels": func(ctx context.Context) error {
			_, _, err := netchan.Dial[int](ctx, "x", netchan.Insecure(), netchan.WithDialer(waiting))
			return err
		},
		"typed": func(ctx context.Context) error {
			_, err := typed.Dial[int](ctx, "x", netchan.Insecure(), netchan.WithDialer(waiting))
			return err
		},
	}
	for name, dial := range dials {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			go func() {
				<-dialing
				cancel(cause)
			}()
			if err := dial(ctx); !errors.Is(err, cause) {
				t.Fatalf("Dial: %v; want it to wrap the ctx's cause", err)
			}
		})
	}
}
