package netchan_test

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// api names one of the two ways to use netchan.
type api string

const (
	chanAPI  api = "chan"  // netchan.Listen and netchan.Dial
	typedAPI api = "typed" // typed.Listen and typed.Dial
)

// cutEnd is one end of a connection of ints, seen the same way through
// either API.
type cutEnd struct {
	name string
	// send sends v, waiting as the API waits; an error means ctx ended.
	send func(ctx context.Context, v int) error
	// recv returns the next value; ok is false once the peer closed its
	// side, which a channel API listener never reports: its receive
	// channel merges its clients' values and closes with its ctx.
	recv      func(ctx context.Context) (v int, ok bool, err error)
	closeSend func()
	errs      *errorLog // what reached OnError
	// afterLast, for an end that never sees the close, returns a value
	// that arrives within testkit.Settle, once the session ended; nil for
	// the others.
	afterLast func() (v int, ok bool)
}

func chanCutEnd(name string, send chan<- int, recv <-chan int, errs *errorLog, seesClose bool) *cutEnd {
	var afterLast func() (int, bool)
	if !seesClose {
		afterLast = func() (int, bool) {
			select {
			case v, ok := <-recv:
				return v, ok
			case <-time.After(testkit.Settle):
				return 0, false
			}
		}
	}
	return &cutEnd{
		afterLast: afterLast,
		name:      name,
		send: func(ctx context.Context, v int) error {
			select {
			case send <- v:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		recv: func(ctx context.Context) (int, bool, error) {
			select {
			case v, ok := <-recv:
				if !ok && !seesClose {
					return 0, false, errors.New("the listener's receive channel closed before its ctx ended")
				}
				return v, ok, nil
			case <-ctx.Done():
				return 0, false, ctx.Err()
			}
		},
		closeSend: func() { close(send) },
		errs:      errs,
	}
}

func typedCutEnd(name string, c *typed.Conn[int], errs *errorLog) *cutEnd {
	return &cutEnd{
		name: name,
		send: func(ctx context.Context, v int) error { return c.Send(ctx, v) },
		recv: func(ctx context.Context) (int, bool, error) {
			v, err := c.Recv(ctx)
			if errors.Is(err, io.EOF) {
				return 0, false, nil
			}
			return v, err == nil, err
		},
		closeSend: func() { _ = c.CloseSend() },
		errs:      errs,
	}
}
