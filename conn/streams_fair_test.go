package conn

import (
	"fmt"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan/internal/testkit"
)

// One stream out of credit, whose receiving program takes nothing, does not
// stall the others on its session: they carry values both ways meanwhile,
// on buffered and on rendezvous sessions.
func TestStreamOutOfCreditStallsNoOther(t *testing.T) {
	for _, capacity := range []int{2, 0} {
		t.Run(fmt.Sprintf("capacity %d", capacity), func(t *testing.T) {
			cfg := testConfig()
			cfg.Capacity = capacity
			p := connect(t, cfg, cfg, nil)
			ctx := patience(t)
			stuck, err := p.d.Open(capacity, []byte("stuck"), nil)
			if err != nil {
				t.Fatal(err)
			}
			other, err := p.d.Open(capacity, []byte("other"), nil)
			if err != nil {
				t.Fatal(err)
			}
			stuckPeer, err := p.a.Accept(ctx)
			if err != nil {
				t.Fatal(err)
			}
			otherPeer, err := p.a.Accept(ctx)
			if err != nil {
				t.Fatal(err)
			}
			window := max(capacity, 1)
			if err := sendInts(ctx, stuck, 0, window); err != nil {
				t.Fatal(err)
			}
			blocked := make(chan error, 1)
			go func() { blocked <- sendInts(ctx, stuck, window, window+1) }()

			var g errgroup.Group
			g.Go(func() error { return exchange(ctx, other, otherPeer, 200) })
			g.Go(func() error { return exchange(ctx, p.d.Main(), p.a.Main(), 200) })
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-blocked:
				t.Fatalf("a send beyond the stuck stream's window returned: %v", err)
			default:
			}
			// Once its program takes, the stuck stream goes on.
			if err := recvInts(ctx, stuckPeer, 0, window+1); err != nil {
				t.Fatal(err)
			}
			if err, _ := testkit.Recv(t, blocked); err != nil {
				t.Fatal(err)
			}
		})
	}
}
