package netchan_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/conn"
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

// Many open frames of the largest capacity a listener takes cost it what
// they are, not room for their values: a stream's inbox grows as values
// arrive.
func TestHostileOpensCostWhatArrives(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const opens = 256
	p, lr, _ := hostilePeer(t, ctx, opens)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range opens {
		write(t, p, testkit.Frame(wire.KindOpen, uint32(3+2*i), wire.AppendOpen(nil, wire.Open{Capacity: conn.MaxOpenCapacity, Meta: chans.Meta(replyType)})))
	}
	// The request names the last stream: the listener read every open.
	write(t, p, requestFrame(t, 0, 3+2*(opens-1)))
	r, _ := testkit.Recv(t, lr)
	runtime.ReadMemStats(&after)
	// Room for 4096 values in each of 256 streams would be 32 MiB.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Fatalf("%d open frames cost the listener %d MiB", opens, grew>>20)
	}
	close(r.Reply)
}

// A reply channel may have more capacity than the main stream of either
// end, up to conn.MaxOpenCapacity: a request with a reply channel of 100
// goes to a peer of capacity 4, and 101 replies complete while the
// program reads none. Beyond the limit, the value is refused whole with
// ErrLimit, and the connection goes on.
func TestReplyChannelAboveMainCapacity(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Patience)
	defer cancel()
	server, client, _ := chanPair[request](t, ctx, netchan.WithBuffer(4))
	if err := client.Send(ctx, request{Reply: make(chan int, conn.MaxOpenCapacity+1)}); !errors.Is(err, netchan.ErrLimit) {
		t.Fatalf("a reply channel of capacity %d: %v, want ErrLimit", conn.MaxOpenCapacity+1, err)
	}
	const n = 100
	reply := make(chan int, n)
	if err := client.Send(ctx, request{N: 3, Reply: reply}); err != nil {
		t.Fatal(err)
	}
	r, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n + 1 {
		testkit.Send(t, r.Reply, i)
	}
	close(r.Reply)
	for i := range n + 1 {
		if v, ok := testkit.Recv(t, reply); !ok || v != i {
			t.Fatalf("got %d (open %v), want %d", v, ok, i)
		}
	}
	if _, ok := testkit.Recv(t, reply); ok {
		t.Fatal("reply channel not closed after the replies")
	}
}

// The channel API carries a reply channel of more capacity than the peer's
// WithBuffer alike, from either end.
func TestReplyChannelAboveMainCapacityChannelAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Patience)
	defer cancel()
	addr, ls, lr, log := listenLogged[request](t, ctx, netchan.Insecure(), netchan.WithBuffer(2))
	ds, dr, err := netchan.Dial[request](ctx, addr, netchan.Insecure(), netchan.Sync(), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	reply := make(chan int, 100)
	testkit.Send(t, ds, request{N: 5, Reply: reply})
	r, _ := testkit.Recv(t, lr)
	testkit.Send(t, r.Reply, r.N)
	close(r.Reply)
	awaitReply(t, ctx, reply, 5)

	reply = make(chan int, 100)
	testkit.Send(t, ls, request{N: 6, Reply: reply})
	r, _ = testkit.Recv(t, dr)
	testkit.Send(t, r.Reply, r.N)
	close(r.Reply)
	awaitReply(t, ctx, reply, 6)
	close(ds)
	if errs := log.all(); len(errs) > 0 {
		t.Fatalf("errors reported: %v", errs)
	}
}
