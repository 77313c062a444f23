// Netchan is netcat for netchan: it sends the JSON values it reads from
// stdin, one per line, over a netchan connection, and prints the values it
// receives to stdout as JSON, one per line. It is for debugging netchan
// programs and for shell scripts.
//
// Usage:
//
//	netchan listen [flags] ADDR
//	netchan dial [flags] ADDR
//
// For example, a listener with a fresh shared secret, which it prints
// with the command that dials it, and a client that sends two values and
// prints what comes back:
//
//	netchan listen -secret new 127.0.0.1:7000
//	printf '%s\n' '{"ID":1}' '[1,2.5,"x"]' | NETCHAN_SECRET=... netchan dial 127.0.0.1:7000
//
// Its peer is any program that uses netchan's Listen and Dial, or package
// typed, with the same codec (CBOR by default, or -codec json), or
// another netchan command. A listener serves any number of clients: it
// prints the values of all, and sends each line to one of them. `netchan -h` explains the flags, what a JSON line
// becomes on the other end, and how a run ends. The exit status is 0 on
// success, 1 if anything failed (the errors are on stderr), 2 for bad
// arguments, and 130 or 143 after an interrupt or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := onSignal(os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], stdio{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// onSignal returns a context that the first of sigs ends, with a
// signalled cause. A second signal then acts as if netchan did not catch
// it, and kills at once should the first not end the run.
func onSignal(sigs ...os.Signal) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			signal.Stop(ch)
			cancel(&signalled{sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// signalled is the cause of the end of a run a signal stopped.
type signalled struct{ sig os.Signal }

func (s *signalled) Error() string { return "stopped by " + s.sig.String() }

// stopped returns the outcome of a run whose ctx ended.
func stopped(ctx context.Context) error {
	return fmt.Errorf("%w: %w", errInterrupted, context.Cause(ctx))
}

// Outcomes of a run that are not errors to print.
var (
	// errFailed marks a run whose errors were already written to stderr.
	errFailed = errors.New("failed")
	// errInterrupted marks a run that an interrupt or its context ended.
	errInterrupted = errors.New("interrupted")
)

// run runs the command args give: listen or dial until the run is over.
func run(ctx context.Context, args []string, io stdio) error {
	cfg, err := parseArgs(args, io.getenv)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(io.stderr)
		return err
	}
	if err != nil {
		return &usageError{err}
	}
	r := &reporter{w: io.stderr}
	if cfg.codec == "json" {
		return runSession(ctx, &session[json.RawMessage]{cfg: cfg, format: jsonFormat{}, io: io, report: r})
	}
	return runSession(ctx, &session[any]{cfg: cfg, format: cborFormat{}, io: io, report: r})
}

func runSession[T any](ctx context.Context, s *session[T]) error {
	if s.cfg.mode == modeListen {
		return s.listen(ctx)
	}
	return s.dial(ctx)
}

// exitCode returns the process status for a run's outcome and writes an
// error not yet written to w.
func exitCode(err error, w io.Writer) int {
	var usage *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		fmt.Fprintf(w, "netchan: %v\n(netchan -h explains the arguments)\n", usage.err)
		return 2
	case errors.Is(err, errFailed):
		return 1
	case errors.Is(err, errInterrupted):
		// As a shell reports a program the signal killed.
		var sig *signalled
		if errors.As(err, &sig) && sig.sig == syscall.SIGTERM {
			return 128 + 15
		}
		return 128 + 2
	}
	fmt.Fprintln(w, errorLine(err))
	return 1
}

// usageError is an error in the arguments: the run did not start.
type usageError struct{ err error }

func (e *usageError) Error() string { return "usage: " + e.err.Error() }

func (e *usageError) Unwrap() error { return e.err }
