// Server is the quick start's server: it answers each client's words in
// capitals. It serves its clients through package typed, one goroutine per
// client, so that each reply goes to the client that asked.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strings"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/typed"
)

func main() {
	addr := flag.String("addr", "localhost:7000", "address to listen on")
	flag.Parse()
	ctx := context.Background()
	secret := netchan.NewSecret()
	l, err := typed.Listen[string](ctx, *addr, netchan.WithSecret(secret))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\nexport NETCHAN_SECRET=%s\n", l.Addr(), secret)
	for {
		c, err := l.Accept(ctx)
		if err != nil {
			log.Fatal(err)
		}
		go func() { // one goroutine per client
			defer c.Close()
			for {
				word, err := c.Recv(ctx)
				if err != nil {
					return // io.EOF once the client is done
				}
				if err := c.Send(ctx, strings.ToUpper(word)); err != nil {
					return
				}
			}
		}()
	}
}
