package main

import (
	"context"
	"sync"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/typed"
)

// typedServer runs the listening end on package typed: a sending and a
// checking goroutine per client, instead of one of each for all clients
// through the channels of netchan.Listen. A typed connection's values pass
// from the network to Recv through a buffer as deep as the capacity, where
// a channel hands each value from goroutine to goroutine.
type typedServer[V message] struct {
	mu     sync.Mutex
	conns  []*typed.Conn[V]
	closed bool // closeSend was called: later clients are closed at once
}

// startTyped listens with typed.Listen and serves each client as it comes.
func (s *server[V]) startTyped(ctx context.Context, opts []netchan.Option) error {
	l, err := typed.Listen[V](ctx, "", opts...)
	if err != nil {
		return err
	}
	s.typed = &typedServer[V]{}
	s.receiving.Go(func() {
		defer l.Close()
		for {
			c, err := l.Accept(ctx)
			if err != nil {
				return // ctx ended
			}
			s.serveTyped(ctx, c)
		}
	})
	return nil
}

// serveTyped starts sending to c and checking its echoes.
func (s *server[V]) serveTyped(ctx context.Context, c *typed.Conn[V]) {
	t := s.typed
	t.mu.Lock()
	t.conns = append(t.conns, c)
	closed := t.closed
	t.mu.Unlock()
	if closed {
		_ = c.CloseSend()
	} else {
		s.sending.Go(func() { s.sendTyped(ctx, c) })
	}
	s.receiving.Go(func() {
		t := s.newTally()
		for {
			v, err := c.Recv(ctx)
			if err != nil {
				return // the client closed, or ctx ended
			}
			s.check(t, v)
		}
	})
}

// sendTyped sends numbered values to c until told to stop. It takes its
// sequence numbers a block at a time, so that each client's echoes fill
// blocks of their own in its tally. A send in progress when told to stop is
// let finish, not cancelled: in rendezvous mode it may have sent its value
// already and wait for the echoing client's acknowledgement, and the value
// must count as sent.
func (s *server[V]) sendTyped(ctx context.Context, c *typed.Conn[V]) {
	var seq, end uint64
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		if seq == end {
			end = s.attempted.Add(blockSeqs)
			seq = end - blockSeqs
		}
		seq++
		if c.Send(ctx, s.shape.make(seq)) != nil {
			return // ctx ended
		}
		s.sent.Add(1)
	}
}

// closeSend ends every client's receiving side, after sending stopped.
func (t *typedServer[V]) closeSend() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for _, c := range t.conns {
		_ = c.CloseSend()
	}
}
