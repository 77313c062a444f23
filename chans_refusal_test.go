package netchan_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// wantRefusal fails the test unless err is a refusal for target: it wraps
// target, reads as a refusal, and is no encoding failure.
func wantRefusal(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) || errors.Is(err, netchan.ErrEncode) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("%s: %v; want a refusal wrapping %v and not %v", what, err, target, netchan.ErrEncode)
	}
}

// A value refused for a limit, or for a channel netchan carries already,
// says so rather than that it could not be encoded, and is not fatal: the
// codec never saw it, so even a stateful codec's connection goes on.
func TestRefusalIsNotFatal(t *testing.T) {
	type many struct{ Replies []chan<- int }
	for _, c := range []codec.Codec{codec.CBOR(), codec.Gob()} {
		t.Run(c.Name(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
			defer cancel()
			server, client, _ := chanPair[many](t, ctx, netchan.WithMaxStreams(2), netchan.WithCodec(c))
			three := many{Replies: []chan<- int{make(chan int), make(chan int), make(chan int)}}
			err := client.Send(ctx, three)
			wantRefusal(t, "three channels toward a limit of two", err, netchan.ErrLimit)
			if !strings.Contains(err.Error(), "streams") {
				t.Fatalf("the refusal does not name the limit: %v", err)
			}
			one := make(chan int, 1)
			if err := client.Send(ctx, many{Replies: []chan<- int{one}}); err != nil {
				t.Fatal(err)
			}
			wantRefusal(t, "a channel sent twice", client.Send(ctx, many{Replies: []chan<- int{one}}), netchan.ErrChanInUse)
			got, err := server.Recv(ctx)
			if err != nil || len(got.Replies) != 1 {
				t.Fatalf("Recv: %d replies, %v", len(got.Replies), err)
			}
			testkit.Send(t, got.Replies[0], 5)
			close(got.Replies[0])
			if v, ok := testkit.Recv(t, one); !ok || v != 5 {
				t.Fatalf("reply %d (open %v), want 5", v, ok)
			}
			// A value after the refusals goes too.
			if err := client.Send(ctx, many{}); err != nil {
				t.Fatal(err)
			}
			if _, err := server.Recv(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The channel API reports a refused value as undelivered, wrapping what
// refused it, and sends the next.
func TestRefusalReportedChannelAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	addr, _, lr, _ := listenLogged[request](t, ctx, netchan.Insecure(), netchan.WithCodec(codec.Gob()))
	log := &errorLog{}
	ds, _, err := netchan.Dial[request](ctx, addr, netchan.Insecure(), netchan.WithCodec(codec.Gob()), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	defer close(ds)
	reply := make(chan int)
	testkit.Send(t, ds, request{N: 1, Reply: reply})
	testkit.Send(t, ds, request{N: 2, Reply: reply})
	testkit.Send(t, ds, request{N: 3})
	for _, want := range []int{1, 3} {
		if r, _ := testkit.Recv(t, lr); r.N != want {
			t.Fatalf("request %d arrived, want %d", r.N, want)
		}
	}
	errs := log.all()
	if len(errs) != 1 {
		t.Fatalf("%d errors reported, want the refusal alone: %v", len(errs), errs)
	}
	var u *netchan.UndeliveredError[request]
	if !errors.As(errs[0], &u) || u.Value.N != 2 {
		t.Fatalf("reported %v, want request 2 undelivered", errs[0])
	}
	wantRefusal(t, "request 2", errs[0], netchan.ErrChanInUse)
}
