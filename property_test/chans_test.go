package property_test

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
)

// carrier holds a reply channel or a stream channel.
type carrier struct {
	Reply  chan<- int
	Stream <-chan int
}

// TestCarriedChannels runs random sequences of sends, receives and a close
// on a channel carried in a value, a reply channel or a stream, and checks
// every outcome against a Go channel: values, order, close, and capacity,
// which is the original channel's plus the one value netchan holds in hand
// (see the package documentation), so a Go channel of capacity n+1,
// whatever the capacity of the connection that carries it.
func TestCarriedChannels(t *testing.T) {
	forEach(t, 5, func(t *rapid.T, s setup) {
		n := rapid.IntRange(0, 4).Draw(t, "capacity")
		stream := rapid.Bool().Draw(t, "stream")
		srv, cli := connect[carrier](t, s, 1, netchan.WithBuffer(rapid.IntRange(1, 4).Draw(t, "main capacity"))).pair()
		original := make(chan int, n)
		var d *direction
		if stream {
			cli.mustSend(t, carrier{Stream: original})
			c, _ := srv.mustRecv(t)
			d = newDirection(chanEnd(original, nil, &errorLog{}, true), chanEnd(nil, c.Stream, &errorLog{}, true), n+1)
		} else {
			cli.mustSend(t, carrier{Reply: original})
			c, _ := srv.mustRecv(t)
			d = newDirection(chanEnd(c.Reply, nil, &errorLog{}, true), chanEnd(nil, original, &errorLog{}, true), n+1)
		}
		defer d.abandon()
		next := 0
		actions := map[string]func(*rapid.T){"close": d.close}
		for i := range 3 {
			actions[fmt.Sprintf("send %d", i)] = func(t *rapid.T) { next++; d.send(t, next) }
			actions[fmt.Sprintf("recv %d", i)] = d.recv
		}
		t.Repeat(actions)
	})
}
