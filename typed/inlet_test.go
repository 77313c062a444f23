package typed_test

import (
	"context"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// inletCapacity is the capacity of the connections in the Inlet tests; a
// quarter of it, inletBuffer, is what one of them may keep room for.
const (
	inletCapacity = 16
	inletBuffer   = inletCapacity / 4
)

// pumps runs SendFromInlet for each of cs until the test ends.
func pumps[T any](t *testing.T, in *typed.Inlet[T], cs ...*typed.Conn[T]) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	for _, c := range cs {
		go func() {
			defer func() { done <- struct{}{} }()
			_ = c.SendFromInlet(ctx, in)
		}()
	}
	t.Cleanup(func() {
		cancel()
		for range cs {
			<-done
		}
	})
}

// unacknowledged is how many values cs sent that their peers' programs
// did not receive.
func unacknowledged[T any](cs []*typed.Conn[T]) int {
	n := 0
	for _, c := range cs {
		n += c.Unacknowledged()
	}
	return n
}

// fullInlet connects k dialers of inletCapacity, which never receive, to
// connections taking from one Inlet of inletBuffer, and sends on it while
// sends complete: k*inletCapacity of them, the buffer's included. It
// returns the program's channel and the listener's connections.
func fullInlet(t *testing.T, k int) (chan int, []*typed.Conn[int], []*typed.Conn[int]) {
	t.Helper()
	servers, dialers := clients[int](t, []netchan.Option{netchan.WithBuffer(inletCapacity)}, make([][]netchan.Option, k)...)
	ch := make(chan int, inletBuffer)
	pumps(t, typed.NewInlet[int](ch), servers...)
	total := k * inletCapacity
	for i := range total {
		testkit.Send(t, ch, i)
	}
	// What the connections may take, they take: a slow machine cannot
	// make the send below wait for want of their turn.
	testkit.Eventually(t, "the connections to take their share", func() bool {
		return unacknowledged(servers) == total-inletBuffer && len(ch) == inletBuffer
	})
	if !testkit.Blocks(ch, total) {
		t.Fatalf("%d sends completed with %d connections of capacity %d and none received", total+1, k, inletCapacity)
	}
	if n := unacknowledged(servers); n != total-inletBuffer {
		t.Fatalf("%d values outstanding with %d in the buffer; capacity %d for %d connections", n, len(ch), inletCapacity, k)
	}
	return ch, servers, dialers
}

// The values in an Inlet's buffer count in the capacity of the connections
// taking from it, one or several: k*n sends complete while no peer
// received anything, and the next waits, as through an unbuffered channel.
func TestInletKeepsTheCapacityExact(t *testing.T) {
	for _, k := range []int{1, 2, 3} {
		ch, _, dialers := fullInlet(t, k)
		// A value received frees room for exactly one send.
		ctx := ctxFor(t)
		if _, err := dialers[0].Recv(ctx); err != nil {
			t.Fatal(err)
		}
		testkit.Send(t, ch, -1)
		if !testkit.Blocks(ch, -2) {
			t.Fatalf("%d connections: two sends completed after one value was received", k)
		}
	}
}

// When the connection that kept room for the buffer stops, another keeps
// it from the next value it takes: its program then has exactly its
// capacity again.
func TestInletHandsTheBufferOver(t *testing.T) {
	ch, servers, dialers := fullInlet(t, 2)
	ctx := ctxFor(t)
	// The keeper is the one with less than its capacity outstanding.
	keeper := 0
	if servers[1].Unacknowledged() < servers[0].Unacknowledged() {
		keeper = 1
	}
	other := 1 - keeper
	_ = dialers[keeper].Close()
	_ = servers[keeper].Close()
	// The other's peer receives everything: its own values, then the
	// buffer's, which its connection takes and keeps room for as it goes.
	for range inletCapacity + inletBuffer {
		if _, err := dialers[other].Recv(ctx); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, "the buffer to drain", func() bool { return len(ch) == 0 && servers[other].Unacknowledged() == 0 })
	for i := range inletCapacity {
		testkit.Send(t, ch, i)
	}
	testkit.Eventually(t, "the connection to take its share", func() bool {
		return servers[other].Unacknowledged() == inletCapacity-inletBuffer && len(ch) == inletBuffer
	})
	if !testkit.Blocks(ch, inletCapacity) {
		t.Fatalf("%d sends completed on one connection of capacity %d", inletCapacity+1, inletCapacity)
	}
}
