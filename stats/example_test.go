package stats_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/stats"
	"github.com/netchan/netchan/typed"
)

// A server adds each connection it accepts to a Set. Published with
// expvar (conns.Publish("conns")), /debug/vars would show what its String
// returns: the totals and each open connection.
func ExampleSet() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var conns stats.Set
	l, err := typed.Listen[string](ctx, "127.0.0.1:0", netchan.Insecure())
	if err != nil {
		panic(err)
	}
	received := make(chan string)
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			return
		}
		conns.Add(c)
		for {
			v, err := c.Recv(ctx)
			if err != nil {
				return
			}
			received <- v
		}
	}()

	c, err := typed.Dial[string](ctx, l.Addr().String(), netchan.Insecure())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	for _, v := range []string{"a", "b"} {
		if err := c.Send(ctx, v); err != nil {
			panic(err)
		}
		<-received
	}

	var shown struct {
		Conns          int `json:"conns"`
		ValuesReceived int `json:"values_received"`
		Peers          []struct {
			Remote string `json:"remote"`
		} `json:"peers"`
	}
	if err := json.Unmarshal([]byte(conns.String()), &shown); err != nil {
		panic(err)
	}
	fmt.Printf("%d connection, %d values received, from %d peer\n", shown.Conns, shown.ValuesReceived, len(shown.Peers))
	// Output: 1 connection, 2 values received, from 1 peer
}
