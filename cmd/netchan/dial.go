package main

import (
	"context"

	"github.com/netchan/netchan"
)

// dial runs netchan dial: one connection, until both ends have closed
// their send sides, the connection fails, or ctx ends.
func (s *session[T]) dial(ctx context.Context) error {
	// After a failure, Dial reports each value sent from then on as not
	// delivered until send is closed or its ctx ends, and only then is
	// the connection done. stdin may stay open, as a terminal's does, so
	// a failure ends the ctx.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts, err := s.options(func(error) { cancel() })
	if err != nil {
		return err
	}
	ended := make(chan error, 1)
	opts = append(opts, netchan.OnDone(func(err error) { ended <- err }))
	send, recv, err := netchan.Dial[T](cctx, s.cfg.addr, opts...)
	if err != nil {
		return err
	}
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		s.readLines(cctx, send)
	}()
	s.printValues(recv, cancel)
	// recv closes when the listener closed its side; the connection ends
	// once this side closed too and its last values and close went out.
	err = <-ended
	switch {
	case ctx.Err() != nil:
		return stopped(ctx)
	case err != nil:
		if !s.report.failed() { // OnError had it, but say it at least once
			s.report.fail(err)
		}
		return errFailed
	case cctx.Err() != nil:
		// This run ended the connection, after an error it reported. The
		// reader may be blocked reading stdin; the process exits under it.
		return errFailed
	}
	// Both sides closed, so the reader closed send: it is done.
	<-reading
	if s.report.failed() {
		return errFailed
	}
	return nil
}
