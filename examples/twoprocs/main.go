// Twoprocs runs netchan between two processes: a server that prints what
// its clients send, and clients that send it their arguments.
//
//	twoprocs -serve                   # prints NETCHAN_ADDR=… and NETCHAN_SECRET=…
//	twoprocs -addr ADDR -secret SECRET hello there
//
// A client takes the address and the secret from its flags or, without
// them, from the environment variables the server printed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"

	"github.com/netchan/netchan"
)

func main() {
	serve := flag.Bool("serve", false, "be the server")
	listen := flag.String("listen", "localhost:0", "the server's address; port 0 picks a free one")
	addr := flag.String("addr", os.Getenv("NETCHAN_ADDR"), "the server's address, for a client")
	secret := flag.String("secret", os.Getenv("NETCHAN_SECRET"), "the server's secret, for a client")
	flag.Parse()
	var err error
	if *serve {
		err = runServer(*listen)
	} else {
		err = runClient(*addr, *secret, flag.Args())
	}
	if err != nil {
		log.Fatal(err)
	}
}

// runServer prints what its clients send until it is interrupted.
func runServer(listen string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	secret := netchan.NewSecret()
	toClients, fromClients, err := netchan.Listen[string](ctx, listen, netchan.WithSecret(secret),
		netchan.OnListen(func(a net.Addr) { fmt.Printf("NETCHAN_ADDR=%s\nNETCHAN_SECRET=%s\n", a, secret) }))
	if err != nil {
		return err
	}
	// It sends nothing: closing now lets each client's connection end
	// cleanly as soon as the client closes its side.
	close(toClients)
	for s := range fromClients { // closed once interrupted
		fmt.Println(s)
	}
	return nil
}

// runClient sends words to the server at addr, then waits until they are
// delivered.
func runClient(addr, secret string, words []string) error {
	done := make(chan error, 1)
	send, _, err := netchan.Dial[string](context.Background(), addr, netchan.WithSecret(secret),
		netchan.OnDone(func(err error) { done <- err }))
	if err != nil {
		return err
	}
	for _, w := range words {
		send <- w
	}
	close(send)
	return <-done // nil once both sides have closed
}
