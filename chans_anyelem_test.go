package netchan_test

import (
	"context"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// anyRequest's reply channel carries values of an interface type, which
// gob sends as interface values: the reply arrives as what was sent.
type anyRequest struct {
	Reply chan any
}

func TestReplyChannelOfAnyEveryCodec(t *testing.T) {
	for _, c := range []codec.Codec{codec.CBOR(), codec.Gob(), codec.JSON()} {
		t.Run(c.Name(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
			defer cancel()
			server, client, _ := chanPair[anyRequest](t, ctx, netchan.WithCodec(c))
			reply := make(chan any, 1)
			if err := client.Send(ctx, anyRequest{Reply: reply}); err != nil {
				t.Fatal(err)
			}
			req, err := server.Recv(ctx)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case req.Reply <- "pong":
			case <-ctx.Done():
				t.Fatal("the reply could not be sent")
			}
			select {
			case got := <-reply:
				if got != "pong" {
					t.Fatalf("got %#v; want \"pong\"", got)
				}
			case <-ctx.Done():
				t.Fatal("no reply arrived")
			}
		})
	}
}
