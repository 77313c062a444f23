package netchan_test

import (
	"context"
	"errors"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/testkit"
)

// A buffered reply channel whose values still wait in its buffer when the
// peer's close arrives gives its stream back: with one stream allowed,
// request after request with such a channel goes.
func TestBufferedReplyGivesStreamBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Patience)
	defer cancel()
	server, client, _ := chanPair[request](t, ctx, netchan.WithMaxStreams(1))
	for i := range 2 {
		reply := make(chan int, 2)
		testkit.Eventually(t, "a stream to open", func() bool {
			err := client.Send(ctx, request{N: i, Reply: reply})
			if err != nil && !errors.Is(err, conn.ErrLimit) {
				t.Fatalf("request %d: %v", i, err)
			}
			return err == nil
		})
		r, err := server.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r.Reply <- 1
		r.Reply <- 2
		close(r.Reply)
		// Both values wait in the buffer, unreceived, when the close comes.
		testkit.Eventually(t, "both replies in the buffer", func() bool { return len(reply) == 2 })
		for range reply {
		}
	}
}
