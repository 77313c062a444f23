package netchan_test

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/typed"
)

// A server and a client authenticated by a shared secret: no certificate
// to manage, and still TLS 1.3 with both ends proven. The server answers
// each client from a goroutine of its own, through package typed, so that
// each reply goes to the client that asked, however many there are.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := netchan.NewSecret() // share it with the other end out of band

	l, err := typed.Listen[string](ctx, "127.0.0.1:0", netchan.WithSecret(secret))
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := l.Accept(ctx)
			if err != nil {
				return // ctx ended
			}
			go func() {
				defer c.Close()
				for {
					s, err := c.Recv(ctx)
					if err != nil || c.Send(ctx, strings.ToUpper(s)) != nil {
						return
					}
				}
			}()
		}
	}()

	send, recv, err := netchan.Dial[string](ctx, l.Addr().String(), netchan.WithSecret(secret))
	if err != nil {
		panic(err)
	}
	send <- "hello, network"
	fmt.Println(<-recv)
	// Output: HELLO, NETWORK
}

// With Sync, at most one value is in flight: a send completes only after
// every earlier value was received by the remote program.
func ExampleSync() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	_, recv, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Sync())
	if err != nil {
		panic(err)
	}
	send, _, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.Sync())
	if err != nil {
		panic(err)
	}
	go func() {
		for i := range 3 {
			send <- i
		}
		close(send)
	}()
	for range 3 {
		fmt.Println(<-recv)
	}
	// Output:
	// 0
	// 1
	// 2
}

// A client that sends its last value and exits, against a listener that
// stays open for other clients: it closes its send channel, ends its
// context, and waits with OnDone until the connection has ended. Exiting
// right after close could cut the last value and the close on their way.
func ExampleOnDone() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	_, fromClients, err := netchan.Listen[string](ctx, "", netchan.WithListener(ln), netchan.Insecure())
	if err != nil {
		panic(err)
	}

	clientCtx, clientCancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	send, _, err := netchan.Dial[string](clientCtx, ln.Addr().String(), netchan.Insecure(),
		netchan.OnDone(func(err error) { done <- err }))
	if err != nil {
		panic(err)
	}
	send <- "last words"
	close(send)    // no more values
	clientCancel() // end the connection: what was sent, and the close, still go
	fmt.Println("connection ended:", <-done)
	fmt.Println("server got", <-fromClients)
	// Output:
	// connection ended: <nil>
	// server got last words
}
