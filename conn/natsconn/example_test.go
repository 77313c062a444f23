package natsconn_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/netchan/netchan"
	"github.com/netchan/netchan/conn/natsconn"
)

// netchan's channels over NATS: a NATS server embedded on loopback, a
// listener on the subject "greetings", and a client that dials it. The
// two share a secret that the NATS server never sees.
func Example() {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		log.Fatal(err)
	}
	srv.Start()
	defer srv.WaitForShutdown()
	defer srv.Shutdown()
	if !srv.ReadyForConnections(10 * time.Second) {
		log.Fatal("the NATS server did not start")
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := netchan.NewSecret()

	l, err := natsconn.Listen(nc, "greetings")
	if err != nil {
		log.Fatal(err)
	}
	toClients, fromClients, err := netchan.Listen[string](ctx, "greetings", netchan.WithListener(l), netchan.WithSecret(secret))
	if err != nil {
		log.Fatal(err)
	}
	send, recv, err := netchan.Dial[string](ctx, "greetings", netchan.WithDialer(natsconn.Dialer(nc)), netchan.WithSecret(secret))
	if err != nil {
		log.Fatal(err)
	}

	send <- "hello over NATS"
	fmt.Println(<-fromClients)
	toClients <- "hello back"
	fmt.Println(<-recv)

	// Both ends close; then the listener stops, before the NATS
	// connection closes.
	close(send)
	close(toClients)
	for range recv {
	}
	cancel()
	for range fromClients {
	}
	// Output:
	// hello over NATS
	// hello back
}
