package netchan_test

import (
	"context"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// request carries its reply channel.
type request struct {
	N     int
	Reply chan<- int
}

// serveSquares answers each request on its reply channel with the square
// of its number, then closes the reply channel, until ctx ends or the
// client goes.
func serveSquares(ctx context.Context, t *testing.T, l *typed.Listener[request], wg *sync.WaitGroup) {
	wg.Go(func() {
		c, err := l.Accept(ctx)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			r, err := c.Recv(ctx)
			if err != nil {
				return
			}
			wg.Go(func() {
				select {
				case r.Reply <- r.N * r.N:
					close(r.Reply)
				case <-ctx.Done():
				}
			})
		}
	})
}

func TestReplyChannelTyped(t *testing.T) {
	for _, buf := range []int{0, 1, 5} {
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		var wg sync.WaitGroup
		l, err := typed.Listen[request](ctx, "127.0.0.1:0", netchan.Insecure(), netchan.OnError(func(err error) { t.Log("listener:", err) }))
		if err != nil {
			t.Fatal(err)
		}
		serveSquares(ctx, t, l, &wg)
		c, err := typed.Dial[request](ctx, l.Addr().String(), netchan.Insecure(), netchan.OnError(func(err error) { t.Log("dialer:", err) }))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			reply := make(chan int, buf)
			if err := c.Send(ctx, request{N: i, Reply: reply}); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-reply:
				if got != i*i {
					t.Fatalf("reply %d, want %d", got, i*i)
				}
			case <-ctx.Done():
				t.Fatalf("request %d: no reply: %v", i, c.Err())
			}
			if v, ok := <-reply; ok {
				t.Fatalf("reply channel not closed after the reply: got %d", v)
			}
		}
		c.Close()
		cancel()
		wg.Wait()
		l.Close()
	}
}
