// Chat is a chat room: a server relays each line a member types to every
// member, through a listener with Broadcast. Start the server, then members
// with the two lines it printed in their environment:
//
//	chat -serve                      # prints NETCHAN_ADDR=… and NETCHAN_SECRET=…
//	NETCHAN_ADDR=… NETCHAN_SECRET=… chat -name ann
//
// A member says it joined, sends each line it reads from stdin, and prints
// each line the room relays, its own included; it leaves at the end of its
// input. It hears every line sent after the room relayed its own first one.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"

	"github.com/netchan/netchan"
)

// Line is one thing said in the room.
type Line struct{ From, Text string }

func main() {
	serve := flag.Bool("serve", false, "relay the members' lines, rather than be one")
	name := flag.String("name", "anon", "the name a member speaks under")
	flag.Parse()
	var err error
	if *serve {
		err = relay()
	} else {
		err = chat(os.Getenv("NETCHAN_ADDR"), os.Getenv("NETCHAN_SECRET"), *name)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func relay() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	secret := netchan.NewSecret()
	toAll, fromAny, err := netchan.Listen[Line](ctx, "localhost:0", netchan.WithSecret(secret), netchan.Broadcast(),
		netchan.OnListen(func(a net.Addr) { fmt.Printf("NETCHAN_ADDR=%s\nNETCHAN_SECRET=%s\n", a, secret) }))
	if err != nil {
		return err
	}
	for l := range fromAny { // lines from every member; closed once interrupted
		select {
		case toAll <- l: // to every member connected now
		case <-ctx.Done():
		}
	}
	return nil
}

func chat(addr, secret, name string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	say, room, err := netchan.Dial[Line](ctx, addr, netchan.WithSecret(secret),
		netchan.OnDone(func(err error) { done <- err }))
	if err != nil {
		return err
	}
	go func() {
		for l := range room {
			fmt.Printf("%s: %s\n", l.From, l.Text)
		}
	}()
	say <- Line{name, "joined"}
	for in := bufio.NewScanner(os.Stdin); in.Scan(); {
		say <- Line{name, in.Text()}
	}
	close(say)
	cancel() // leave: what was said still goes
	return <-done
}
