package main

import (
	"context"
	"runtime"
	"time"
)

// idleBeforeMemory lets connections finish what they started on connecting
// (first credits, the first values pushed into buffers) before memory is
// read, so the figure is that of an idle connection.
const idleBeforeMemory = 300 * time.Millisecond

// memInUse returns the bytes of heap and stack in use, after a collection.
func memInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}

// memPerConn waits a moment, then returns the growth of memory in use since
// base, per connection.
func memPerConn(ctx context.Context, base int64, conns int) int64 {
	t := time.NewTimer(idleBeforeMemory)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return (memInUse() - base) / int64(conns)
}
