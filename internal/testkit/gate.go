package testkit

import (
	"context"
	"sync"
)

// Gate holds senders back until their turn, so that a test can place an
// event (a cut, say) between two given values: value i may go once the
// limit is above i.
type Gate struct {
	mu    sync.Mutex
	limit int
	moved chan struct{} // closed when limit grows
}

// NewGate returns a Gate that lets nothing through yet.
func NewGate() *Gate { return &Gate{moved: make(chan struct{})} }

// Open lets through every value below limit.
func (g *Gate) Open(limit int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if limit > g.limit {
		g.limit = limit
		close(g.moved)
		g.moved = make(chan struct{})
	}
}

// Wait waits until value i may go, or ctx ends.
func (g *Gate) Wait(ctx context.Context, i int) error {
	for {
		g.mu.Lock()
		ok, moved := i < g.limit, g.moved
		g.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
