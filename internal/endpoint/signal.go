package endpoint

import "github.com/netchan/netchan/internal/wake"

// signal wakes the goroutine waiting on a one-slot channel: see wake.Signal.
func signal(ch chan struct{}) { wake.Signal(ch) }
