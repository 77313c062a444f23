package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// firstEchoPatience bounds how long -role all waits for its own clients'
// first echo; a server waits for remote clients as long as it is let.
const firstEchoPatience = 30 * time.Second

// endGrace is how long a lone server keeps its connections after closing
// its channel, so that remote clients see the end rather than a lost
// connection: the channel API does not tell when they all did.
const endGrace = 2 * time.Second

// Each role runs with two contexts: stop, which a signal ends, cuts the
// measurement short; the connections live on a context of their own that
// the role cancels once the run is over, so that values in flight can still
// be drained after a signal.

// runAll runs the listener and the clients in this process.
func runAll[V message](stop context.Context, cfg *config, progressOut io.Writer) (*summary, error) {
	connCtx, cancel := context.WithCancel(context.WithoutCancel(stop))
	defer cancel()
	errs := newErrorLog(cfg)
	opts, err := buildOptions(cfg, errs.add)
	if err != nil {
		return nil, err
	}
	base := memInUse()
	srv, err := startServer[V](connCtx, cfg, opts.server)
	if err != nil {
		return nil, err
	}
	cfg.Addr = srv.addr.String() // the port chosen, for the record
	// The proxy of -cut-every, in front of the listener; nil without.
	var cut *cutter
	shutdown := func() {
		errs.silence()
		cancel()
		cut.stop()
		srv.wait()
	}
	if cut, err = startCutter(cfg, cfg.Addr); err != nil {
		shutdown()
		return nil, err
	}
	cl, err := dialClients[V](stop, connCtx, cut.addr(cfg.Addr), cfg.Clients, cfg.API, cut.clientOptions(opts.client))
	if err != nil {
		shutdown()
		return nil, err
	}
	sum := &summary{Settings: cfg}
	sum.MemPerConnBytes = memPerConn(stop, base, cfg.Clients)
	cut.start()
	cl.start(connCtx)
	elapsed, interrupted, err := srv.measure(stop, cfg, progressOut, firstEchoPatience, errs.lost)
	sum.addError(err)
	sum.setStats(opts.serverConns, opts.clientConns)
	sum.MemAfterTrafficBytes = -1
	if !sleep(stop, quietAfterTraffic) {
		sum.MemAfterTrafficBytes = (memInUse() - base) / int64(cfg.Clients)
	}
	srv.closeSend()
	if !cl.waitFor(cfg.Drain) {
		sum.addError(errors.New("clients did not all receive the end of the server's channel within -drain"))
	} else if !cl.closeAll(cfg.Drain) {
		sum.addError(errors.New("connections did not all end within -drain after the server closed"))
	}
	shutdown()
	cl.wait()
	srv.fill(sum)
	cl.fill(sum)
	cut.fill(sum)
	errs.into(sum)
	sum.Interrupted = interrupted
	sum.setRates(sum.Received, elapsed, cfg.Clients)
	return sum, nil
}

// runServer listens for clients of another process, measures, and closes.
func runServer[V message](stop context.Context, cfg *config, progressOut io.Writer) (*summary, error) {
	connCtx, cancel := context.WithCancel(context.WithoutCancel(stop))
	defer cancel()
	errs := &errorLog{}
	opts, err := buildOptions(cfg, errs.add)
	if err != nil {
		return nil, err
	}
	srv, err := startServer[V](connCtx, cfg, opts.server)
	if err != nil {
		return nil, err
	}
	cfg.Addr = srv.addr.String()
	announce(progressOut, cfg, cfg.Addr)
	sum := &summary{Settings: cfg}
	elapsed, interrupted, err := srv.measure(stop, cfg, progressOut, 0, errs.lost)
	sum.addError(err)
	sum.setStats(opts.serverConns, nil)
	sleep(stop, idlePause) // the clients read their memory once quiet
	srv.closeSend()
	sleep(stop, endGrace)
	errs.silence()
	cancel()
	srv.wait()
	srv.fill(sum)
	errs.into(sum)
	sum.Interrupted = interrupted
	sum.setRates(sum.Received, elapsed, cfg.Clients)
	return sum, nil
}

// announce tells the user where the server listens and how to start the
// clients.
func announce(w io.Writer, cfg *config, addr string) {
	fmt.Fprintf(w, "listening on %s; waiting for clients\n", addr)
	trust := "-insecure"
	if cfg.Trust == "secret" {
		trust = "-secret-value " + cfg.secret
	}
	fmt.Fprintf(w, "start them with: netchan-bench -role clients -addr %s %s -codec %s -size %d -clients N\n", addr, trust, cfg.Codec, cfg.Size)
}

// runClients dials a server of another process and echoes until it ends.
func runClients[V message](stop context.Context, cfg *config, progressOut io.Writer) (*summary, error) {
	connCtx, cancel := context.WithCancel(context.WithoutCancel(stop))
	defer cancel()
	errs := &errorLog{}
	opts, err := buildOptions(cfg, errs.add)
	if err != nil {
		return nil, err
	}
	base := memInUse()
	cl, err := dialClients[V](stop, connCtx, cfg.Addr, cfg.Clients, cfg.API, opts.client)
	if err != nil {
		errs.silence()
		return nil, err
	}
	sum := &summary{Settings: cfg}
	sum.MemPerConnBytes = memPerConn(stop, base, cfg.Clients)
	fmt.Fprintf(progressOut, "%d clients connected to %s\n", cfg.Clients, cfg.Addr)
	start := time.Now()
	quiet := make(chan int64, 1)
	go func() { quiet <- memWhenQuiet(connCtx, base, cfg.Clients, cl.total) }()
	cl.start(connCtx)
	p := startProgress(progressOut, isTerminal(progressOut), func() reading {
		return reading{sent: -1, received: cl.total(), inFlight: int64(opts.clientConns.Totals().InFlight), lost: errs.lost()}
	})
	select {
	case <-cl.done:
	case <-stop.Done():
		sum.Interrupted = true
	}
	p.stop()
	sum.setStats(nil, opts.clientConns)
	elapsed := time.Since(start)
	if !sum.Interrupted && !cl.closeAll(cfg.Drain) {
		sum.addError(errors.New("connections did not all end within -drain after the server closed"))
	}
	errs.silence()
	cancel()
	sum.MemAfterTrafficBytes = <-quiet // -1 once cancel ended its watch
	cl.wait()
	cl.fill(sum)
	errs.into(sum)
	sum.setRates(sum.Echoed, elapsed, cfg.Clients)
	return sum, nil
}
