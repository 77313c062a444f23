package conn

import "github.com/netchan/netchan/internal/wake"

// signal wakes the goroutine waiting on a one-slot channel: see wake.Signal.
var signal = wake.Signal
