package property_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestClose: after close(send), the peer receives every earlier value, then
// sees the channel closed, never a value after. Then the listener goes away,
// and a send from the client returns an error (typed) or reaches OnError as
// an UndeliveredError (channel API), never stuck and never silently lost
// once the client noticed.
func TestClose(t *testing.T) {
	forEach(t, 10, func(t *rapid.T, s setup) {
		vals := rapid.SliceOfN(rapid.Int(), 0, 20).Draw(t, "values")
		capacity := rapid.IntRange(0, 8).Draw(t, "capacity")
		toClient := rapid.Bool().Draw(t, "toClient")
		l := connect[int](t, s, 1, netchan.WithBuffer(capacity))
		srv, cli := l.pair()
		from, to := cli, srv
		if toClient {
			from, to = srv, cli
		}

		sent := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
			defer cancel()
			for _, v := range vals {
				if err := from.send(ctx, v); err != nil {
					sent <- err
					return
				}
			}
			from.closeSend()
			sent <- nil
		}()
		for i, want := range vals {
			if got, ok := to.mustRecv(t); !ok || got != want {
				t.Fatalf("value %d: got %d (ok %v), want %d", i, got, ok, want)
			}
		}
		if err := <-sent; err != nil {
			t.Fatalf("send: %v", err)
		}
		for range 2 { // closed, and stays closed
			if to.seesClose {
				if v, ok := to.mustRecv(t); ok {
					t.Fatalf("got %d after close, want the channel closed", v)
				}
			} else if v, ok, blocks := to.recvBlocks(t); !blocks {
				t.Fatalf("got %d (ok %v) after the client closed", v, ok)
			}
		}

		// from goes away; to, whose sending side is open, must not lose a
		// send silently. A channel API listener with no client left waits
		// for the next one, so only a client is checked there.
		if s.api == typedAPI {
			_ = from.conn.Close()
			select {
			case <-to.conn.Done():
			case <-t.Context().Done():
			}
			ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
			defer cancel()
			if err := to.send(ctx, 1); err == nil || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("send after the peer closed: got %v, want the connection's error", err)
			}
			return
		}
		if !toClient {
			return
		}
		l.cancelListener()
		// The client may take a value for sending before it notices; once it
		// reported one, it must report every later one.
		reported := func(v int) bool {
			return slices.ContainsFunc(cli.errs.all(), func(err error) bool {
				var u *netchan.UndeliveredError[int]
				return errors.As(err, &u) && u.Value == v
			})
		}
		// Reports may come later than the next send: any of the values
		// sent so far will do.
		const first = 1000
		next := first
		eventually(t, "a send after the listener went to be reported", func() bool {
			cli.mustSend(t, next)
			next++
			for v := first; v < next; v++ {
				if reported(v) {
					return true
				}
			}
			return false
		})
		since := first
		for !reported(since) {
			since++
		}
		eventually(t, "every send after the first reported to be reported", func() bool {
			for v := since; v < next; v++ {
				if !reported(v) {
					return false
				}
			}
			return true
		})
		for range 2 {
			cli.mustSend(t, next)
			v := next
			eventually(t, "every later send to be reported", func() bool { return reported(v) })
			next++
		}
	})
}
