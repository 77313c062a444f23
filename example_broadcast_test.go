package netchan_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/netchan/netchan"
)

// With Broadcast, every value the server sends goes to every client
// connected. A client counts as connected once its handshake is done;
// here each says hello, so that the server knows it is there before it
// sends, since a client that connects later starts with the next value.
func ExampleBroadcast() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := netchan.NewSecret()
	addr := make(chan net.Addr, 1)
	prices, hellos, err := netchan.Listen[string](ctx, "127.0.0.1:0", netchan.WithSecret(secret),
		netchan.Broadcast(),
		netchan.WithStallTimeout(5*time.Second), // a client may hold the others back for 5 s at most
		netchan.OnListen(func(a net.Addr) { addr <- a }))
	if err != nil {
		panic(err)
	}
	server := (<-addr).String()

	var clients []<-chan string
	for _, name := range []string{"ann", "bob"} {
		send, recv, err := netchan.Dial[string](ctx, server, netchan.WithSecret(secret))
		if err != nil {
			panic(err)
		}
		send <- name
		close(send)
		clients = append(clients, recv)
	}
	for range clients {
		<-hellos // from now on, that client receives every value sent
	}

	prices <- "EUR 1.16"
	prices <- "GBP 1.34"
	close(prices) // each client's channel closes once it received both

	for i, recv := range clients {
		var got []string
		for p := range recv {
			got = append(got, p)
		}
		fmt.Printf("client %d: %s\n", i, strings.Join(got, ", "))
	}
	// Output:
	// client 0: EUR 1.16, GBP 1.34
	// client 1: EUR 1.16, GBP 1.34
}
