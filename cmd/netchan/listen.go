package main

import (
	"context"
	"net"
	"sync"

	"github.com/netchan/netchan"
)

// listen runs netchan listen: it serves clients until stdin has ended and
// the clients have gone (see clientWatch), or ctx ends.
func (s *session[T]) listen(ctx context.Context) error {
	opts, err := s.options(nil) // a client's failure does not end the run
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		return err
	}
	w := newClientWatch(ln, s.cfg.keep)
	opts = append(opts, netchan.WithListener(w), netchan.OnConnect(w.started), netchan.OnDone(w.served))
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	send, recv, err := netchan.Listen[T](lctx, "", opts...)
	if err != nil {
		_ = ln.Close()
		return err
	}
	s.report.say("listening on %s", ln.Addr())
	if s.cfg.trust.made {
		s.report.say("dial it with: %s=%s netchan dial%s %s", secretEnv, s.cfg.trust.secret, codecFlag(s.cfg.codec), ln.Addr())
	}
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		s.readLines(lctx, send)
		w.stdinEnded()
	}()
	var watching sync.WaitGroup
	watching.Go(func() {
		select {
		case <-w.over:
			cancel()
		case <-lctx.Done():
		}
	})
	// recv closes once lctx has ended and every connection has stopped,
	// after the values of all of them.
	s.printValues(recv, cancel)
	watching.Wait()
	switch {
	case ctx.Err() != nil:
		return stopped(ctx)
	case !w.isOver():
		// The listener failed (reported to OnError); the reader may be
		// blocked reading stdin, and the process exits under it.
		return errFailed
	}
	<-reading
	if s.report.failed() {
		return errFailed
	}
	return nil
}

// codecFlag returns the -codec flag a dialer needs to talk to this
// listener, with a leading space, or nothing for the default.
func codecFlag(codec string) string {
	if codec == "cbor" {
		return ""
	}
	return " -codec " + codec
}
