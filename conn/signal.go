package conn

// signal wakes the goroutine waiting on wake, a channel of capacity 1, or
// leaves the wake-up already pending there.
func signal(wake chan struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}
