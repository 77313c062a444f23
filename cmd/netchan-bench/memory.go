package main

import (
	"context"
	"runtime"
	"time"
)

// idleBeforeMemory lets connections finish what they started on connecting
// (first credits, the first values pushed into buffers) before memory is
// read, so the figure is that of an idle connection. It and the pauses
// below are variables so that tests, which read no memory figure, can
// shorten them.
var idleBeforeMemory = 300 * time.Millisecond

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

// quietAfterTraffic is how long the clients see no echo before they read
// memory after traffic: longer than netchan takes to give up the buffers of
// a quiet connection (a second), so the figure is that of an idle
// connection that has carried traffic. A lone server keeps quiet for
// idlePause before closing, so that remote clients see such a spell.
var (
	quietAfterTraffic = 1500 * time.Millisecond
	idlePause         = 3 * time.Second
)

// memWhenQuiet watches count, and once it has stayed the same, and above
// zero, for quietAfterTraffic, returns the growth of memory in use since
// base per connection. It returns -1 if ctx ends first.
func memWhenQuiet(ctx context.Context, base int64, conns int, count func() uint64) int64 {
	tick := time.NewTicker(quietAfterTraffic / 15)
	defer tick.Stop()
	last, since := count(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return -1
		case now := <-tick.C:
			if n := count(); n != last || n == 0 {
				last, since = n, now
			} else if now.Sub(since) >= quietAfterTraffic {
				return (memInUse() - base) / int64(conns)
			}
		}
	}
}
