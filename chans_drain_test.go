package netchan_test

import (
	"context"
	"errors"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A server that answers on a reply field after its client left is not
// stuck: the send completes, and the value is reported undelivered.
func TestReplyFieldAfterPeerLeft(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Patience)
	defer cancel()
	server, client, log := chanPair[request](t, ctx)
	if err := client.Send(ctx, request{N: 1, Reply: make(chan int, 1)}); err != nil {
		t.Fatal(err)
	}
	r, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
	<-server.Done()
	testkit.Send(t, r.Reply, 7)
	testkit.Send(t, r.Reply, 8)
	close(r.Reply)
	testkit.Eventually(t, "both replies reported undelivered", func() bool {
		n := 0
		for _, err := range log.all() {
			var u *netchan.UndeliveredError[any]
			if errors.As(err, &u) && (u.Value == 7 || u.Value == 8) {
				n++
			}
		}
		return n == 2
	})
}
