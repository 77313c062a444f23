package typed_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/typed"
)

// A client sends three values and closes its side; the server receives
// them and then io.EOF.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := netchan.NewSecret()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	l, err := typed.Listen[string](ctx, "", netchan.WithListener(ln), netchan.WithSecret(secret))
	if err != nil {
		panic(err)
	}
	defer l.Close()

	go func() {
		c, err := typed.Dial[string](ctx, ln.Addr().String(), netchan.WithSecret(secret))
		if err != nil {
			panic(err)
		}
		for _, s := range []string{"one", "two", "three"} {
			if err := c.Send(ctx, s); err != nil {
				panic(err)
			}
		}
		_ = c.CloseSend()
	}()

	c, err := l.Accept(ctx)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	for {
		s, err := c.Recv(ctx)
		if errors.Is(err, io.EOF) {
			fmt.Println("done")
			return
		}
		if err != nil {
			panic(err)
		}
		fmt.Println(s)
	}
	// Output:
	// one
	// two
	// three
	// done
}

// With Sync, Send returns only once the peer's Recv has taken the value.
func ExampleConn_Send_sync() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	l, err := typed.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Sync())
	if err != nil {
		panic(err)
	}
	defer l.Close()
	received := make(chan int, 1)
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			panic(err)
		}
		v, err := c.Recv(ctx)
		if err != nil {
			panic(err)
		}
		received <- v
	}()
	c, err := typed.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.Sync())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	if err := c.Send(ctx, 42); err != nil {
		panic(err)
	}
	fmt.Println("sent; the peer took", <-received)
	// Output: sent; the peer took 42
}
