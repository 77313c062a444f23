package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan"
)

// runBroadcast runs the broadcast workload: a listener with
// netchan.Broadcast sends numbered ints for cfg.Duration to cfg.Clients
// clients, each of which receives every one and checks that they come in
// order, once each. A value delivered is one value received by one
// client: the rates sum over the clients.
func runBroadcast(ctx context.Context, cfg *config, progressOut io.Writer) (*summary, error) {
	sum := &summary{Settings: cfg, MemAfterTrafficBytes: -1}
	errs := newErrorLog(cfg)
	opts, err := buildOptions(cfg, errs.add)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	addr := make(chan net.Addr, 1)
	send, lrecv, err := netchan.Listen[uint64](ctx, cfg.Addr,
		append(opts.server, netchan.Broadcast(), netchan.OnListen(func(a net.Addr) { addr <- a }))...)
	if err != nil {
		return nil, err
	}
	target := (<-addr).String()
	var (
		delivered, disorder atomic.Uint64
		receivers           sync.WaitGroup
	)
	recvs := make([]<-chan uint64, cfg.Clients)
	for i := range recvs {
		csend, crecv, err := netchan.Dial[uint64](ctx, target, opts.client...)
		if err != nil {
			return nil, fmt.Errorf("client %d: %w", i, err)
		}
		csend <- uint64(i) // its hello: once the listener has it, the client counts as connected
		close(csend)
		recvs[i] = crecv
	}
	for range cfg.Clients {
		if _, ok := <-lrecv; !ok {
			return nil, errors.New("the listener ended before every client connected")
		}
	}
	for _, r := range recvs {
		receivers.Go(func() {
			var next uint64
			for v := range r {
				if v != next {
					disorder.Add(1)
				}
				next = v + 1
				delivered.Add(1)
			}
		})
	}
	var sent atomic.Int64
	p := startProgress(progressOut, isTerminal(progressOut), func() reading {
		n, d := sent.Load(), delivered.Load()
		return reading{sent: n, received: d, inFlight: n*int64(cfg.Clients) - int64(d), lost: errs.lost()}
	})
	start := time.Now()
	deadline := time.NewTimer(cfg.Duration)
send:
	for i := uint64(0); ; i++ {
		select {
		case send <- i:
			sent.Add(1)
		case <-deadline.C:
			break send
		case <-ctx.Done():
			sum.Interrupted = true
			break send
		}
	}
	close(send)
	if !waitTimeout(&receivers, cfg.Drain+cfg.Duration) {
		sum.addError(fmt.Errorf("the clients did not receive everything within %v", cfg.Drain+cfg.Duration))
	}
	elapsed := time.Since(start)
	p.stop()
	sum.setStats(opts.serverConns, opts.clientConns)
	errs.silence()
	cancel()
	for range lrecv {
	}
	sum.Sent = uint64(sent.Load())
	sum.Received = delivered.Load()
	sum.Lost = sum.Sent*uint64(cfg.Clients) - min(sum.Received, sum.Sent*uint64(cfg.Clients))
	sum.Invalid = disorder.Load()
	sum.setRates(sum.Received, elapsed, cfg.Clients)
	errs.into(sum)
	return sum, nil
}

// waitTimeout waits for wg, for at most d, and reports whether it returned.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
