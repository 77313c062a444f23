package property_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// end is one end of a connection seen the same way through either API, so
// that one property body serves both.
type end[T any] struct {
	// send sends v, waiting as the API waits; an error means v was not
	// taken (on the channel API only ctx can end a send).
	send func(ctx context.Context, v T) error
	// recv returns the next value; ok is false once the direction is closed.
	recv func(ctx context.Context) (v T, ok bool, err error)
	// closeSend ends this end's sending direction.
	closeSend func()
	// errs collects what reached OnError (channel API); nil for typed.
	errs *errorLog
	// conn is the typed connection, nil on the channel API.
	conn *typed.Conn[T]
	// ch is the channel API's receive channel, for a select over several
	// ends; nil for typed.
	ch <-chan T
	// seesClose tells whether recv reports the peer's closeSend. A channel
	// API listener merges its clients into one channel that closes only
	// when the listener's ctx ends.
	seesClose bool
}

func chanEnd[T any](send chan<- T, recv <-chan T, errs *errorLog, seesClose bool) *end[T] {
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
		ch:        recv,
		seesClose: seesClose,
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
		conn:      c,
		seesClose: true,
	}
}

// mustRecv receives one value within testkit.Patience, failing the check
// on an error.
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

// recvBlocks reports whether a receive is still waiting after
// testkit.Settle; if it is not, it returns what was received. A receive
// ended by its deadline takes nothing on either API.
func (e *end[T]) recvBlocks(t *rapid.T) (v T, ok, blocks bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Settle)
	defer cancel()
	v, ok, err := e.recv(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return v, false, true
	}
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return v, ok, false
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
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// eventually polls cond until it holds, failing the check after
// testkit.Patience.
func eventually(t *rapid.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testkit.Patience)
	for wait := time.Millisecond; !cond(); wait = min(2*wait, 20*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, testkit.Patience)
		}
		time.Sleep(wait)
	}
}
