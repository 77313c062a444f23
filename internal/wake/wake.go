// Package wake holds the one-slot wake-up that netchan's goroutines wait
// on: a channel of capacity 1 that coalesces wake-ups.
package wake

// Signal wakes the goroutine waiting on ch, a channel of capacity 1, or
// leaves the wake-up already pending there.
func Signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
