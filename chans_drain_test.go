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

// A dialer of the channel API that answers on a reply field after the
// listener left is not stuck either: the connection ended, but the
// drains live until the Dial's context ends, reporting each value.
func TestReplyFieldAfterListenerLeftChannelAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Patience)
	defer cancel()
	lctx, leave := context.WithCancel(ctx)
	defer leave()
	addr, ls, _, _ := listenLogged[request](t, lctx, netchan.Insecure())
	log := &errorLog{}
	done := make(chan error, 1)
	dctx, hangUp := context.WithCancel(ctx)
	defer hangUp()
	ds, dr, err := netchan.Dial[request](dctx, addr, netchan.Insecure(), netchan.OnError(log.add),
		netchan.OnDone(func(err error) { done <- err }))
	if err != nil {
		t.Fatal(err)
	}
	var rs []request
	for i := range 2 {
		testkit.Send(t, ls, request{N: i, Reply: make(chan int, 1)})
		r, _ := testkit.Recv(t, dr)
		rs = append(rs, r)
	}
	leave()
	close(ds) // the connection's pumps are done, and OnDone comes
	if _, ok := testkit.Recv(t, done); !ok {
		t.Fatal("OnDone's channel closed")
	}
	testkit.Send(t, rs[0].Reply, 7)
	testkit.Send(t, rs[0].Reply, 8)
	close(rs[0].Reply)
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
	// The other field is drained until the Dial's context ends, which
	// stops its drain (goleak, at the end of the run, would see it).
	testkit.Send(t, rs[1].Reply, 9)
	hangUp()
}
