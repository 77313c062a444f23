package conn

import (
	"sync"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// OnAck reports each growth of what the peer's program took, by count,
// never more than was taken, and reaches every value once all are taken.
func TestOnAckCountsWhatThePeerTook(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 8
	p := connect(t, cfg, cfg, nil)
	var mu sync.Mutex
	var seen []uint64
	p.d.Main().OnAck(func(acked uint64) {
		mu.Lock()
		seen = append(seen, acked)
		mu.Unlock()
	})
	ctx := patience(t)
	const n = 100
	taken := make(chan int, 1)
	go func() {
		err := recvInts(ctx, p.a.Main(), 0, n)
		if err != nil {
			t.Error(err)
		}
		taken <- n
	}()
	if err := sendInts(ctx, p.d.Main(), 0, n); err != nil {
		t.Fatal(err)
	}
	testkit.Recv(t, taken)
	testkit.Eventually(t, "every value acknowledged", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) > 0 && seen[len(seen)-1] == n
	})
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("acknowledged counts %v do not grow", seen)
		}
	}
}
