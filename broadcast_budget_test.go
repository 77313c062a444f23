package netchan_test

import (
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A client whose program does not read yet has room for as many values
// as its buffer, whatever the byte budget counted for them while they
// were reserved: the listener's sends complete without the client taking
// one.
func TestBroadcastFillsAClientsBufferWithoutItReading(t *testing.T) {
	const buffer = 16
	for range 20 {
		b := listenBroadcast(t, netchan.WithStallTimeout(netchan.MaxResumeWindow))
		recv, _ := b.dial(t, 1, netchan.WithBuffer(buffer), netchan.WithMaxMessageSize(64<<20))
		deadline := time.After(testkit.Patience)
		for i := range buffer {
			select {
			case b.send <- i:
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
