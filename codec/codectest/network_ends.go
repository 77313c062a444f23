package codectest

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// api is one of netchan's two ways in.
type api string

const (
	chanAPI  api = "Chan"  // netchan.Listen and netchan.Dial
	typedAPI api = "Typed" // typed.Listen and typed.Dial
)

// end is one end of a connection, through either API.
type end[T any] struct {
	// send sends v, waiting as the API waits; on the channel API only ctx
	// ends a send with an error.
	send func(ctx context.Context, v T) error
	// recv returns the next value; ok is false once the direction closed.
	recv      func(ctx context.Context) (v T, ok bool, err error)
	closeSend func()
	// errs collects what reaches OnError on the channel API.
	errs *errorLog
}

// connect starts a listener on loopback and dials it once, through a, with
// c as the codec and extra options on both ends. The check's cleanup ends
// both and waits until everything they started stopped.
func connect[T any](t *rapid.T, a api, c codec.Codec, extra ...netchan.Option) (listener, dialer *end[T]) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	opts := append([]netchan.Option{netchan.WithCodec(c), netchan.Insecure()}, extra...)
	lopts := append([]netchan.Option{netchan.WithListener(ln)}, opts...)
	if a == chanAPI {
		lerrs, derrs := &errorLog{}, &errorLog{}
		lsend, lrecv, err := netchan.Listen[T](ctx, "", append(lopts, netchan.OnError(lerrs.add))...)
		if err != nil {
			cancel()
			t.Fatalf("Listen: %v", err)
		}
		dsend, drecv, err := netchan.Dial[T](ctx, ln.Addr().String(), append(opts, netchan.OnError(derrs.add))...)
		if err != nil {
			cancel()
			drain(lrecv)
			t.Fatalf("Dial: %v", err)
		}
		// The channel API closes a receive channel once everything behind
		// it stopped.
		t.Cleanup(func() { cancel(); drain(lrecv); drain(drecv) })
		return chanEnd(lsend, lrecv, lerrs), chanEnd(dsend, drecv, derrs)
	}
	tl, err := typed.Listen[T](ctx, "", lopts...)
	if err != nil {
		cancel()
		t.Fatalf("Listen: %v", err)
	}
	dc, err := typed.Dial[T](ctx, ln.Addr().String(), opts...)
	if err != nil {
		cancel()
		_ = tl.Close()
		t.Fatalf("Dial: %v", err)
	}
	actx, acancel := context.WithTimeout(ctx, testkit.Patience)
	lc, err := tl.Accept(actx)
	acancel()
	if err != nil {
		cancel()
		_ = dc.Close()
		_ = tl.Close()
		t.Fatalf("Accept: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = dc.Close(); _ = lc.Close(); _ = tl.Close() })
	return typedEnd(lc), typedEnd(dc)
}

func chanEnd[T any](send chan<- T, recv <-chan T, errs *errorLog) *end[T] {
	return &end[T]{
		send: func(ctx context.Context, v T) error {
			select {
			case send <- v:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		recv: func(ctx context.Context) (T, bool, error) {
			select {
			case v, ok := <-recv:
				return v, ok, nil
			case <-ctx.Done():
				var zero T
				return zero, false, ctx.Err()
			}
		},
		closeSend: func() { close(send) },
		errs:      errs,
	}
}

func typedEnd[T any](c *typed.Conn[T]) *end[T] {
	return &end[T]{
		send: c.Send,
		recv: func(ctx context.Context) (T, bool, error) {
			v, err := c.Recv(ctx)
			if errors.Is(err, io.EOF) {
				return v, false, nil
			}
			return v, err == nil, err
		},
		closeSend: func() { _ = c.CloseSend() },
	}
}

// mustRecv receives one value within testkit.Patience.
func (e *end[T]) mustRecv(t *rapid.T) (T, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	v, ok, err := e.recv(ctx)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return v, ok
}

// mustSend sends v within testkit.Patience.
func (e *end[T]) mustSend(t *rapid.T, v T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	if err := e.send(ctx, v); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// drain receives from ch until it is closed, or testkit.Patience passed.
func drain[T any](ch <-chan T) {
	timeout := time.After(testkit.Patience)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			return
		}
	}
}

// errorLog collects what reaches OnError.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}
