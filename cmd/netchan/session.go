package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/netchan/netchan"
)

// stdio is what a run reads and writes: the process's own in main, and
// buffers and pipes in tests.
type stdio struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// session is one run of listen or dial, carrying values of type T.
type session[T any] struct {
	cfg    *config
	format format[T]
	io     stdio
	report *reporter
}

// options returns the netchan options of the run; connEnded is as for
// onError.
func (s *session[T]) options(connEnded func(error)) ([]netchan.Option, error) {
	trust, err := s.cfg.trust.options(s.cfg.mode)
	if err != nil {
		return nil, err
	}
	opts := []netchan.Option{
		netchan.WithCodec(s.format.codec()),
		netchan.WithBuffer(s.cfg.buffer),
		netchan.WithResumeWindow(s.cfg.resume),
		netchan.OnError(onError(s.report, s.format, connEnded)),
	}
	return append(opts, trust...), nil
}

// readLines sends the value of each line of stdin on send, in order,
// until stdin ends or ctx does, and then closes send. Blank lines are
// skipped; a line that is not a JSON value is reported and skipped, so
// that a typo does not end an interactive session, and the exit status
// still tells a script.
func (s *session[T]) readLines(ctx context.Context, send chan<- T) {
	defer close(send)
	r := bufio.NewReader(s.io.stdin)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			v, perr := s.format.parse(line)
			if perr != nil {
				s.report.fail(fmt.Errorf("stdin line %d: %w", n, perr))
			} else {
				select {
				case send <- v:
				case <-ctx.Done():
					return
				}
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			s.report.fail(fmt.Errorf("reading stdin: %w", err))
			return
		}
	}
}

// printValues prints each value received as a line on stdout until recv
// closes. It flushes whenever no value waits, so that a line shows as soon
// as its value arrives while a burst costs few writes. If stdout fails,
// stop is called, and the values still arriving are dropped until recv
// closes.
func (s *session[T]) printValues(recv <-chan T, stop func()) {
	w := bufio.NewWriter(s.io.stdout)
	var line bytes.Buffer
	var broken error
	for v := range recv {
		if broken != nil {
			continue
		}
		line.Reset()
		if err := s.format.print(&line, v); err != nil {
			s.report.fail(fmt.Errorf("a value received does not print as JSON: %w", err))
			continue
		}
		_, _ = w.Write(line.Bytes()) // an error sticks, and Flush returns it
		if len(recv) == 0 {
			broken = w.Flush()
		}
		if broken != nil {
			s.report.fail(fmt.Errorf("writing stdout: %w", broken))
			stop()
		}
	}
	if broken == nil {
		if err := w.Flush(); err != nil {
			s.report.fail(fmt.Errorf("writing stdout: %w", err))
		}
	}
}
