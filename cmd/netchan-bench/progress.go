package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// progress prints a line each second: elapsed time, the counts, and the
// rate of the last second.
type progress struct {
	out   io.Writer
	start time.Time
	// read returns the counts; with sent < 0 only the received count is
	// meaningful (the clients' view).
	read func() (sent int64, received uint64)

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startProgress prints progress from now on, until stop is called.
func startProgress(out io.Writer, read func() (int64, uint64)) *progress {
	ctx, cancel := context.WithCancel(context.Background())
	p := &progress{out: out, start: time.Now(), read: read, cancel: cancel}
	p.wg.Go(func() { p.loop(ctx) })
	return p
}

func (p *progress) loop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	_, last := p.read()
	lastAt := p.start
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			sent, received := p.read()
			rate := float64(received-last) / now.Sub(lastAt).Seconds()
			last, lastAt = received, now
			p.line(now.Sub(p.start), sent, received, rate)
		}
	}
}

func (p *progress) line(elapsed time.Duration, sent int64, received uint64, rate float64) {
	if sent < 0 {
		fmt.Fprintf(p.out, "%6.1fs  echoed %12d  %10.0f msg/s\n", elapsed.Seconds(), received, rate)
		return
	}
	fmt.Fprintf(p.out, "%6.1fs  sent %12d  received %12d  %10.0f msg/s\n", elapsed.Seconds(), sent, received, rate)
}

// stop ends the progress lines and waits for the printing goroutine.
func (p *progress) stop() {
	p.cancel()
	p.wg.Wait()
}
