package netchan_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/chans"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// An open frame that asks for more capacity than the listener's ends the
// session with ErrLimit, before the listener makes room for its values.
func TestHostileStreamCapacity(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, _, log := hostilePeer(t, ctx, 4)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	write(t, p, testkit.Frame(wire.KindOpen, 3, wire.AppendOpen(nil, wire.Open{Capacity: wire.MaxCapacity, Meta: chans.Meta(replyType)})))
	wantGoAway(t, p, wire.CodeLimit)
	reported(t, log, "the listener to report the hostile client", netchan.ErrLimit)
	runtime.ReadMemStats(&after)
	// Room for 2²⁰ values would be tens of MiB.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Fatalf("one open frame cost the listener %d MiB", grew>>20)
	}
}

// A value whose reply channel has more capacity than the peer takes is
// refused whole with ErrLimit, and the connection goes on.
func TestReplyChannelAbovePeerCapacity(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	server, client, _ := chanPair[request](t, ctx, netchan.WithBuffer(4))
	if err := client.Send(ctx, request{Reply: make(chan int, 5)}); !errors.Is(err, netchan.ErrLimit) {
		t.Fatalf("a reply channel of capacity 5 toward a capacity of 4: %v, want ErrLimit", err)
	}
	reply := make(chan int, 4)
	if err := client.Send(ctx, request{N: 3, Reply: reply}); err != nil {
		t.Fatal(err)
	}
	r, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Send(t, r.Reply, r.N)
	close(r.Reply)
	awaitReply(t, ctx, reply, 3)
}
