package netchan_test

import (
	"context"
	"fmt"
	"net"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/stats"
)

// OnConnect hands the program each connection, whose Stats say what went
// each way. A stats.Set gathers those of a listener's clients; its
// Publish would show them in expvar's /debug/vars.
func ExampleOnConnect() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := netchan.NewSecret()

	var clients stats.Set
	var addr string
	lsend, lrecv, err := netchan.Listen[int](ctx, "127.0.0.1:0", netchan.WithSecret(secret),
		netchan.OnListen(func(a net.Addr) { addr = a.String() }),
		netchan.OnConnect(func(c *netchan.Conn) { clients.Add(c) }))
	if err != nil {
		panic(err)
	}
	go func() {
		for v := range lrecv {
			lsend <- 2 * v
		}
	}()

	conns := make(chan *netchan.Conn, 1)
	send, recv, err := netchan.Dial[int](ctx, addr, netchan.WithSecret(secret),
		netchan.OnConnect(func(c *netchan.Conn) { conns <- c }))
	if err != nil {
		panic(err)
	}
	for v := range 3 {
		send <- v
		fmt.Println(<-recv)
	}
	s := (<-conns).Stats()
	fmt.Printf("the client sent %d values and received %d\n", s.ValuesSent, s.ValuesReceived)
	t := clients.Totals()
	fmt.Printf("the listener had %d client, which sent it %d values\n", t.Conns, t.ValuesReceived)
	// Output:
	// 0
	// 2
	// 4
	// the client sent 3 values and received 3
	// the listener had 1 client, which sent it 3 values
}
