// Client is the quick start's client: it sends its arguments to the server
// and prints the replies. NETCHAN_SECRET holds the server's secret.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/netchan/netchan"
)

func main() {
	addr := flag.String("addr", "localhost:7000", "the server's address")
	flag.Parse()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	send, recv, err := netchan.Dial[string](ctx, *addr,
		netchan.WithSecret(os.Getenv("NETCHAN_SECRET")),
		netchan.OnDone(func(err error) { done <- err }))
	if err != nil {
		log.Fatal(err)
	}
	for _, word := range flag.Args() {
		send <- word
		reply, ok := <-recv
		if !ok {
			log.Fatal("the connection ended")
		}
		fmt.Println(reply)
	}
	close(send) // no more words
	cancel()    // end the connection: the words and the close still go
	if err := <-done; err != nil {
		log.Fatal(err)
	}
}
