package netchan_test

import (
	"context"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A client whose program does not read yet has room for as many values
// as its buffer, whatever the byte budget counted for them while they
// were reserved: the listener's sends complete without the client taking
// one.
func TestListenFillsAClientsBufferWithoutItReading(t *testing.T) {
	const buffer = 16
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ln := testkit.Loopback(t)
		send, hellos, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure())
		if err != nil {
			t.Fatal(err)
		}
		s, recv, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure(), netchan.WithBuffer(buffer),
			netchan.WithMaxMessageSize(64<<20))
		if err != nil {
			t.Fatal(err)
		}
		testkit.Send(t, s, -1)
		testkit.Recv(t, hellos)
		deadline := time.After(testkit.Patience)
		for i := range buffer {
			select {
			case send <- i:
			case <-deadline:
				t.Fatalf("send %d of %d to a client with a buffer of %d waited %v", i+1, buffer, buffer, testkit.Patience)
			}
		}
		for i := range buffer {
			if v, ok := testkit.Recv(t, recv); !ok || v != i {
				t.Fatalf("the client received %d, %v; want %d", v, ok, i)
			}
		}
	}
}
