package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// reading is what a progress line shows.
type reading struct {
	// sent counts the values the server sent; -1 in the clients' view,
	// which does not know it.
	sent int64
	// received counts the echoes the server received, or in the clients'
	// view the values they echoed; with -broadcast, the values the clients
	// received, summed over them.
	received uint64
	// inFlight counts the values sent and not back yet: in the server's
	// view, sent and not echoed; in the clients', echoes sent that the
	// server's program has not taken, as their connections know it; with
	// -broadcast, deliveries to come, a value sent counting once per
	// client.
	inFlight int64
	// lost counts the values netchan reported undelivered so far.
	lost uint64
}

// progress shows how the run goes: on a terminal, one line rewritten in
// place twice a second; otherwise a plain line each second, for a log.
type progress struct {
	out   io.Writer
	live  bool
	start time.Time
	read  func() reading

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startProgress shows progress on out from now on, until stop is called:
// live if out is a terminal.
func startProgress(out io.Writer, live bool, read func() reading) *progress {
	ctx, cancel := context.WithCancel(context.Background())
	p := &progress{out: out, live: live, start: time.Now(), read: read, cancel: cancel}
	p.wg.Go(func() { p.loop(ctx) })
	return p
}

func (p *progress) loop(ctx context.Context) {
	every := time.Second
	if p.live {
		every = time.Second / 2
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	last := p.read().received
	lastAt := p.start
	shown := false
	for {
		select {
		case <-ctx.Done():
			if p.live && shown {
				fmt.Fprintln(p.out) // the summary starts on a line of its own
			}
			return
		case now := <-tick.C:
			r := p.read()
			rate := float64(r.received-last) / now.Sub(lastAt).Seconds()
			last, lastAt = r.received, now
			p.show(p.line(now.Sub(p.start), r, rate))
			shown = true
		}
	}
}

// line formats one reading; rate is the values per second since the last.
func (p *progress) line(elapsed time.Duration, r reading, rate float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%6.1fs", elapsed.Seconds())
	if r.sent < 0 {
		fmt.Fprintf(&b, "  echoed %12d", r.received)
	} else {
		fmt.Fprintf(&b, "  sent %12d  received %12d", r.sent, r.received)
	}
	fmt.Fprintf(&b, "  %10.0f values/s  in flight %8d  lost %d", rate, r.inFlight, r.lost)
	return b.String()
}

// show prints a line: in place of the last on a terminal, after it
// otherwise.
func (p *progress) show(line string) {
	if p.live {
		fmt.Fprintf(p.out, "\r%s\x1b[K", line) // back to the start, and clear what the last line left
		return
	}
	fmt.Fprintln(p.out, line)
}

// stop ends the progress lines and waits for the printing goroutine.
func (p *progress) stop() {
	p.cancel()
	p.wg.Wait()
}

// isTerminal reports whether w is a terminal, where a line can be
// rewritten in place: a character device, as a terminal is. Without a
// dependency there is no finer test; /dev/null, also a character device,
// takes the live line as well as any.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
