package msgpack_test

import (
	"context"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec/msgpack"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

type request struct {
	N     int
	Reply chan<- int
}

// A reply channel travels with this codec as with the shipped ones: the
// codec sees a stream id.
func TestReplyChannel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	opts := []netchan.Option{netchan.Insecure(), netchan.WithCodec(msgpack.Codec())}
	l, err := typed.Listen[request](ctx, "127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := typed.Dial[request](ctx, l.Addr().String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 5 {
		reply := make(chan int, 1)
		if err := c.Send(ctx, request{N: i, Reply: reply}); err != nil {
			t.Fatal(err)
		}
		r, err := s.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		testkit.Send(t, r.Reply, r.N*r.N)
		close(r.Reply)
		if v, ok := testkit.Recv(t, reply); !ok || v != i*i {
			t.Fatalf("reply %d (open %v), want %d", v, ok, i*i)
		}
		if _, ok := testkit.Recv(t, reply); ok {
			t.Fatal("reply channel open after its close")
		}
	}
}
