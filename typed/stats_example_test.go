package typed_test

import (
	"context"
	"fmt"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/typed"
)

// Stats says what a connection did: here, a rendezvous connection whose
// sends each waited for the peer's program to take the value.
func ExampleConn_Stats() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := typed.Listen[string](ctx, "127.0.0.1:0", netchan.Insecure(), netchan.Sync())
	if err != nil {
		panic(err)
	}
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			return
		}
		for {
			if _, err := c.Recv(ctx); err != nil {
				return
			}
		}
	}()

	c, err := typed.Dial[string](ctx, l.Addr().String(), netchan.Insecure(), netchan.Sync())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	for _, s := range []string{"one", "two", "three"} {
		if err := c.Send(ctx, s); err != nil {
			panic(err)
		}
	}
	s := c.Stats()
	fmt.Println("values sent:", s.ValuesSent)
	fmt.Println("in flight:", s.InFlight)
	fmt.Println("waited for credits:", s.CreditWait > 0)
	// Output:
	// values sent: 3
	// in flight: 0
	// waited for credits: true
}
