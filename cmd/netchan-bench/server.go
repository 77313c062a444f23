package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan"
)

// server is the listening end: one goroutine sends numbered values, another
// checks the echoes that come back from every client.
type server[V message] struct {
	addr  net.Addr
	send  chan<- V
	recv  <-chan V
	shape shape[V]

	attempted atomic.Uint64 // highest sequence number offered to send, or taken by a typed sender
	sent      atomic.Uint64 // sends that completed
	received  atomic.Uint64 // valid echoes, each new to its checking goroutine's tally
	talliesMu sync.Mutex
	tallies   []*tally // one per checking goroutine, its own until wait returns

	firstEcho chan struct{} // closed at the first valid echo
	firstOnce sync.Once
	typed     *typedServer[V] // with -api typed, in place of send and recv
	stop      chan struct{}   // closed to stop sending
	stopOnce  sync.Once
	sending   sync.WaitGroup
	receiving sync.WaitGroup
}

// startServer listens on cfg.Addr and starts sending and checking. ctx
// bounds the listener and its connections.
func startServer[V message](ctx context.Context, cfg *config, opts []netchan.Option) (*server[V], error) {
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	opts = append(slices.Clip(opts), netchan.WithListener(l))
	payload := make([]byte, cfg.Size)
	for i := range payload {
		payload[i] = byte(i)
	}
	s := &server[V]{
		addr:      l.Addr(),
		shape:     shape[V]{payload},
		firstEcho: make(chan struct{}),
		stop:      make(chan struct{}),
	}
	if cfg.API == apiTyped {
		if err := s.startTyped(ctx, opts); err != nil {
			return nil, err
		}
		return s, nil
	}
	s.send, s.recv, err = netchan.Listen[V](ctx, "", opts...)
	if err != nil {
		return nil, err
	}
	s.sending.Go(func() { s.sendLoop(ctx) })
	s.receiving.Go(s.receiveLoop)
	return s, nil
}

// sendLoop sends values until told to stop. A value counts as sent once the
// channel send completed, that is once netchan took it. Every value shares
// the payload, which no one writes to.
func (s *server[V]) sendLoop(ctx context.Context) {
	for seq := uint64(1); ; seq++ {
		s.attempted.Store(seq)
		v := s.shape.make(seq)
		select {
		case s.send <- v: // without waiting, a select of one channel: it locks that alone
			s.sent.Store(seq)
			continue
		default:
		}
		select {
		case s.send <- v:
			s.sent.Store(seq)
		case <-s.stop:
			return
		case <-ctx.Done():
			return
		}
	}
}

// receiveLoop checks every echo until the listener's channel closes, which
// happens when its context ends.
func (s *server[V]) receiveLoop() {
	t := s.newTally()
	for v := range s.recv {
		s.check(t, v)
	}
}

// newTally returns a tally for one more checking goroutine. Each has its
// own, which it updates without a lock; fill merges them.
func (s *server[V]) newTally() *tally {
	t := &tally{}
	s.talliesMu.Lock()
	s.tallies = append(s.tallies, t)
	s.talliesMu.Unlock()
	return t
}

// check counts the echo v in t if it is new and valid there. An echo that
// came back on two connections is new to each one's tally; fill counts it
// once, and once as a duplicate.
func (s *server[V]) check(t *tally, v V) {
	seq, intact := s.shape.read(v)
	if !t.add(seq, intact, s.attempted.Load()) {
		return
	}
	s.received.Add(1)
	s.firstOnce.Do(func() { close(s.firstEcho) })
}

// counts returns the values sent and the echoes received so far.
func (s *server[V]) counts() (sent, received uint64) {
	return s.sent.Load(), s.received.Load()
}

// stopSending stops the sending goroutine and waits for it.
func (s *server[V]) stopSending() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.sending.Wait()
}

// drain waits until every value sent came back, or until none came back
// for d. It reports whether all came back. With thousands of clients,
// clients × capacity × 2 values may be in flight, so the bound is on a
// stall, not on the whole drain, which cannot last for ever: nothing new is
// sent. Polling is cheap next to the traffic it waits for.
func (s *server[V]) drain(d time.Duration) bool {
	_, last := s.counts()
	lastMoved := time.Now()
	for {
		sent, received := s.counts()
		if received >= sent {
			return true
		}
		if received != last {
			last, lastMoved = received, time.Now()
		} else if time.Since(lastMoved) > d {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

// closeSend closes the clients' receive channels, after sending stopped.
func (s *server[V]) closeSend() {
	if s.typed != nil {
		s.typed.closeSend()
		return
	}
	close(s.send)
}

// wait waits for the checking goroutine, which ends once the listener's
// context ended; the tally may be read after.
func (s *server[V]) wait() {
	s.sending.Wait()
	s.receiving.Wait()
}

// measure waits for the first echo, at most patience (0: no bound), then
// sends for cfg.Duration or until stop ends, then stops sending and drains;
// its progress lines on out show lost, the values reported undelivered.
// It returns the time from the first echo to the end of the drain, and
// whether stop cut the run short.
func (s *server[V]) measure(stop context.Context, cfg *config, out io.Writer, patience time.Duration, lost func() uint64) (time.Duration, bool, error) {
	defer s.stopSending()
	if err := s.awaitFirstEcho(stop, patience); err != nil {
		return 0, stop.Err() != nil, err
	}
	start := time.Now()
	p := startProgress(out, isTerminal(out), func() reading {
		sent, received := s.counts()
		return reading{sent: int64(sent), received: received, inFlight: int64(sent) - int64(received), lost: lost()}
	})
	defer p.stop()
	interrupted := sleep(stop, cfg.Duration)
	s.stopSending()
	s.drain(cfg.Drain)
	return time.Since(start), interrupted, nil
}

// awaitFirstEcho waits until an echo came back: the clients are connected
// and echoing, and the clock may start.
func (s *server[V]) awaitFirstEcho(stop context.Context, patience time.Duration) error {
	var timeout <-chan time.Time
	if patience > 0 {
		t := time.NewTimer(patience)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-s.firstEcho:
		return nil
	case <-timeout:
		return fmt.Errorf("no echo within %v", patience)
	case <-stop.Done():
		return fmt.Errorf("interrupted before the first echo: %w", context.Cause(stop))
	}
}

// fill copies the server's figures into sum; call it after wait.
func (s *server[V]) fill(sum *summary) {
	all := &tally{}
	for _, t := range s.tallies {
		all.merge(t)
	}
	sum.Sent, sum.Received = s.sent.Load(), all.received
	sum.Lost = sum.Sent - min(sum.Received, sum.Sent)
	sum.Duplicates, sum.Invalid = all.duplicates, all.invalid
	if err := all.err(); err != nil {
		sum.addError(err)
	}
}

// sleep waits for d or until ctx ends; it reports whether ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return false
	case <-ctx.Done():
		return true
	}
}
