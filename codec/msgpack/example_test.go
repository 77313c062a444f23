package msgpack_test

import (
	"context"
	"fmt"
	"net"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec/msgpack"
)

type point struct{ X, Y int }

// Both ends plug the codec in with netchan.WithCodec; the handshake checks
// that they agree.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	_, recv, err := netchan.Listen[point](ctx, "", netchan.WithListener(ln), netchan.Insecure(),
		netchan.WithCodec(msgpack.Codec()))
	if err != nil {
		panic(err)
	}
	send, replies, err := netchan.Dial[point](ctx, ln.Addr().String(), netchan.Insecure(),
		netchan.WithCodec(msgpack.Codec()))
	if err != nil {
		panic(err)
	}
	send <- point{X: 1, Y: -2}
	fmt.Printf("%+v\n", <-recv)

	// The receive channels close once everything behind them stopped.
	cancel()
	for range recv {
	}
	for range replies {
	}
	// Output: {X:1 Y:-2}
}
