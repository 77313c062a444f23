// Reqreply answers requests that carry their own reply channel: the server
// receives the requests of every client on one channel and answers each on
// the channel inside it, so each answer reaches the client that asked, with
// any number of clients. Start the server, then clients with the two lines
// it printed in their environment:
//
//	reqreply -serve                                   # prints NETCHAN_ADDR=… and NETCHAN_SECRET=…
//	NETCHAN_ADDR=… NETCHAN_SECRET=… reqreply hello network
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"

	"github.com/netchan/netchan"
)

// Request is a word to answer in capitals, and where the answer goes.
type Request struct {
	Word  string
	Reply chan<- string // the server sends on it; the answer arrives in the client's own channel
}

func main() {
	serve := flag.Bool("serve", false, "answer requests, rather than ask")
	flag.Parse()
	var err error
	if *serve {
		err = answer()
	} else {
		err = ask(os.Getenv("NETCHAN_ADDR"), os.Getenv("NETCHAN_SECRET"), flag.Args())
	}
	if err != nil {
		log.Fatal(err)
	}
}

func answer() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	secret := netchan.NewSecret()
	_, requests, err := netchan.Listen[Request](ctx, "localhost:0", netchan.WithSecret(secret),
		netchan.OnListen(func(a net.Addr) { fmt.Printf("NETCHAN_ADDR=%s\nNETCHAN_SECRET=%s\n", a, secret) }))
	if err != nil {
		return err
	}
	for r := range requests { // from every client; closed once interrupted
		r.Reply <- strings.ToUpper(r.Word)
		close(r.Reply) // closes the client's channel, and ends its stream
	}
	return nil
}

func ask(addr, secret string, words []string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	send, _, err := netchan.Dial[Request](ctx, addr, netchan.WithSecret(secret),
		netchan.OnDone(func(err error) { done <- err }))
	if err != nil {
		return err
	}
	replies := make([]chan string, len(words))
	for i, w := range words { // every request at once
		replies[i] = make(chan string, 1)
		send <- Request{Word: w, Reply: replies[i]}
	}
	for i, w := range words {
		fmt.Printf("%s -> %s\n", w, <-replies[i])
	}
	close(send)
	cancel() // end the connection: the close still goes
	return <-done
}
