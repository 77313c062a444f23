package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// The kinds of cut -cut-kind offers: each cut ends every connection with a
// FIN, with a reset, or with each in turn.
const (
	cutFIN  = "fin"
	cutRST  = "rst"
	cutBoth = "both"
)

// What netchan logs of resuming. When a session's connection broke and it
// sets out to resume, it logs resumingMessage at Info level: on a dialer,
// each such record is a redial that ends in a resume, or else in a lost
// session, which the run reports as an error. Each attempt that fails on
// the way, to be tried again, it logs as redialFailedMessage at Debug.
const (
	resumingMessage     = "netchan: connection broken, resuming"
	redialFailedMessage = "netchan: resume attempt failed"
)

// cutter relays the clients' connections through a proxy that cuts them
// all every cfg.CutEvery, and counts the cuts and the clients' resumes.
// A nil cutter relays nothing and cuts nothing: the clients dial the
// listener itself.
type cutter struct {
	proxy   *testkit.Proxy
	every   time.Duration
	kind    string
	resumes *resumeCounter
	quit    chan struct{}
	done    chan struct{} // closed when the cutting goroutine ended
}

// startCutter starts the proxy in front of upstream if cfg asks for cuts;
// it cuts nothing until start.
func startCutter(cfg *config, upstream string) (*cutter, error) {
	if cfg.CutEvery == 0 {
		return nil, nil
	}
	p, err := testkit.StartProxy(upstream)
	if err != nil {
		return nil, fmt.Errorf("-cut-every: %w", err)
	}
	return &cutter{proxy: p, every: cfg.CutEvery, kind: cfg.CutKind, resumes: &resumeCounter{}}, nil
}

// addr returns the address the clients dial: the proxy's, or upstream.
func (c *cutter) addr(upstream string) string {
	if c == nil {
		return upstream
	}
	return c.proxy.Addr()
}

// clientOptions returns the options that let the clients' resumes be
// counted: a logger that counts them and drops everything else, since
// the errors also reach OnError.
func (c *cutter) clientOptions(opts []netchan.Option) []netchan.Option {
	if c == nil {
		return opts
	}
	return append(opts[:len(opts):len(opts)], netchan.WithLogger(slog.New(c.resumes)))
}

// start cuts every connection each c.every from now on, until stop. The
// clients are connected by then: a first Dial does not redial, so a cut
// during it would fail the run.
func (c *cutter) start() {
	if c == nil {
		return
	}
	c.quit, c.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.done)
		tick := time.NewTicker(c.every)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-tick.C:
			case <-c.quit:
				return
			}
			if c.kind == cutFIN || c.kind == cutBoth && n%2 == 0 {
				c.proxy.Cut()
			} else {
				c.proxy.Reset()
			}
		}
	}()
}

// stop stops the cuts and the proxy, once the connections it relays have
// ended: closing it resets those that have not. It may be called whether
// or not start was.
func (c *cutter) stop() {
	if c == nil {
		return
	}
	if c.quit != nil {
		close(c.quit)
		<-c.done
		c.quit = nil
	}
	c.proxy.Close()
}

// fill copies the counts into sum; call it after stop.
func (c *cutter) fill(sum *summary) {
	if c == nil {
		return
	}
	sum.Cuts = int64(c.proxy.Cuts())
	sum.Resumes = c.resumes.resumes.Load()
	sum.FailedRedials = c.resumes.failed.Load()
}

// resumeCounter is a slog.Handler that counts the records of resumes and
// of failed redials, and drops every record.
type resumeCounter struct{ resumes, failed atomic.Int64 }

func (h *resumeCounter) Enabled(context.Context, slog.Level) bool { return true }

func (h *resumeCounter) Handle(_ context.Context, r slog.Record) error {
	switch r.Message {
	case resumingMessage:
		h.resumes.Add(1)
	case redialFailedMessage:
		h.failed.Add(1)
	}
	return nil
}

func (h *resumeCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *resumeCounter) WithGroup(string) slog.Handler      { return h }
