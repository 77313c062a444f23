package conn_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/netchan/netchan/conn"
)

// A listener and a dialer on loopback, in plaintext, exchange bytes on the
// main stream of their session: the dialer reserves room in the window,
// sends and closes; the listener takes each value, which credits it back.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := &conn.Config{
		Insecure:         true,
		Codec:            "bytes",
		Capacity:         4,
		MaxValue:         1 << 10,
		HandshakeTimeout: 10 * time.Second,
		Logger:           slog.Default(),
	}
	l, err := conn.Listen(ctx, "127.0.0.1:0", cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	d, err := conn.Dial(ctx, l.Addr().String(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	for _, v := range []string{"hello", "network"} {
		if err := d.Main().Reserve(ctx); err != nil {
			log.Fatal(err)
		}
		if _, err := d.Main().Send([]byte(v)); err != nil {
			log.Fatal(err)
		}
	}
	if err := d.Main().CloseSend(); err != nil {
		log.Fatal(err)
	}

	a, err := l.Accept(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	for {
		m, err := a.Main().Next(ctx)
		if err != nil {
			fmt.Println(err) // io.EOF: the dialer closed its side
			break
		}
		fmt.Println(string(m.Value))
		m.Release()
		a.Main().Take()
	}
	// Output:
	// hello
	// network
	// EOF
}
