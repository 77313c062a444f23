// Netchan-bench measures the round trips of netchan's channel API over
// loopback, and checks that no value is lost or duplicated on the way.
//
// A listener sends numbered values; each of N clients echoes back every
// value it receives; the listener counts the echoes by sequence number.
// The values are bare integers by default, as in the original netchan's
// benchmark; with -size N, structs {Seq uint64; Payload []byte} with N
// bytes of payload, checked on their return. It shows progress on stderr
// (values per second, values in flight, values lost so far): on a
// terminal one line rewritten in place, otherwise a line each second. At
// the end it prints Sent, Received, Lost, the round trips per second
// overall and per client, the memory per client and what it holds, what
// each end's connections did as package stats counts it (values and bytes
// each way, time waiting for credits, the slowest latest round trip,
// resumes), and the settings (-json: one JSON object on stdout).
//
// Usage:
//
//	netchan-bench [-clients 8] [-duration 10s] [-codec cbor|gob|json]
//	              [-buffer 64 | -sync] [-size 0] [-insecure | -secret]
//	              [-role all|server|clients] [-addr host:port] [-json]
//	              [-cpuprofile file] [-cut-every D [-cut-kind fin|rst|both]]
//	              [-broadcast]
//
// The listener and clients run in one process by default. To run them in
// two, start `-role server -secret` (or -insecure), which prints its address
// and secret, then `-role clients -addr ADDR -secret-value SECRET`.
//
// With -cut-every D the clients reach the listener through a proxy that
// cuts every connection every D; the sessions resume, and the summary
// adds the cuts and the resumes.
//
// With -broadcast the listener sends every value to every client
// (netchan.Broadcast), and the rates are values delivered, summed over the
// clients.
//
// The exit status is 1 if a value was lost or came back twice, or on error;
// 2 for bad flags. SIGINT ends the measurement early; values in flight are
// still drained and counted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	sum, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(sum, err, os.Stderr))
}

// errUsage marks a run that did not start because of its flags.
var errUsage = errors.New("usage")

// run runs one benchmark as args say: progress goes to progressOut, the
// summary to out. A run that completed returns its summary, even when it
// lost values; the caller judges it with summary.failure.
func run(ctx context.Context, args []string, out, progressOut io.Writer) (*summary, error) {
	cfg, err := parseFlags(args, progressOut)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	if cfg.CPUProfile != "" {
		stopProfile, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer stopProfile()
	}
	var sum *summary
	if cfg.Broadcast {
		sum, err = runBroadcast(ctx, cfg, progressOut)
	} else if cfg.Size == 0 {
		sum, err = runRole[uint64](ctx, cfg, progressOut)
	} else {
		sum, err = runRole[value](ctx, cfg, progressOut)
	}
	if err != nil {
		return nil, err
	}
	return sum, sum.write(out, cfg.JSON)
}

// runRole runs cfg's role with messages of type V.
func runRole[V message](ctx context.Context, cfg *config, progressOut io.Writer) (*summary, error) {
	switch cfg.Role {
	case roleServer:
		return runServer[V](ctx, cfg, progressOut)
	case roleClients:
		return runClients[V](ctx, cfg, progressOut)
	default:
		return runAll[V](ctx, cfg, progressOut)
	}
}

// exitCode returns the process status for a run's outcome and explains a
// failure on w.
func exitCode(sum *summary, err error, w io.Writer) int {
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(w, "netchan-bench:", err)
		return 2
	case err != nil:
		fmt.Fprintln(w, "netchan-bench:", err)
		return 1
	}
	if failed := sum.failure(); failed != nil {
		fmt.Fprintln(w, "netchan-bench: FAIL:", failed)
		return 1
	}
	return 0
}

// startCPUProfile writes a CPU profile to path until the returned function
// is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
