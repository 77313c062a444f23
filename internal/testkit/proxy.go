package testkit

import (
	"context"
	"fmt"
	"net"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy is a TCP proxy on loopback that breaks the connections it relays
// on command, for tests of what survives a broken connection: it cuts them
// (Cut, Reset, CutAfter, CutEvery), refuses new ones (Refuse), holds their
// bytes (Stall), delays them (SetDelay), and with WithSplit writes them in
// pieces unrelated to the writes it read, so that no frame boundary can be
// counted on. Tests make one with NewProxy; programs such as a benchmark
// that cuts its connections, with StartProxy.
//
// All of its methods may be called concurrently, from any goroutine.
type Proxy struct {
	relay
	upstream string
	split    *splitting
	dialer   net.Dialer
	ctx      context.Context // ends with Close, to stop a dial in progress
	cancel   context.CancelFunc

	refusing atomic.Bool
	conns    atomic.Int64
	cuts     atomic.Int64
	refused  atomic.Int64
	up, down atomic.Int64

	mu      gosync.Mutex
	links   map[*link]struct{}
	release chan struct{} // closed to end a stall; nil when not stalled
	delay   time.Duration
	redelay chan struct{} // closed when the delay changes
	budget  budget
	writing int         // writes of budget bytes under way
	settled gosync.Cond // on mu: a write of budget bytes ended
	every   *ticker
	closed  bool
}

// ProxyOption configures a Proxy.
type ProxyOption func(*Proxy) error

// splitting is what WithSplit asks for.
type splitting struct {
	seed     uint64
	maxPiece int
}

// WithSplit makes the proxy write what it relays in pieces of 1 to maxPiece
// bytes, each taken from whatever has arrived, so that a piece may end
// inside one of the sender's writes or span several of them. The sizes are
// drawn from a generator seeded with seed, one per direction of each
// connection, so that a failing test replays the same pieces for its
// connections in the order it made them. maxPiece must be at least 1.
func WithSplit(seed uint64, maxPiece int) ProxyOption {
	return func(p *Proxy) error {
		if maxPiece < 1 {
			return fmt.Errorf("testkit: WithSplit(%d, %d): pieces need at least one byte", seed, maxPiece)
		}
		p.split = &splitting{seed: seed, maxPiece: maxPiece}
		return nil
	}
}

// StartProxy starts a proxy on a free loopback port that relays each
// connection it accepts to the listener at upstream. The caller must Close
// it. It is the constructor for programs; tests use NewProxy.
func StartProxy(upstream string, opts ...ProxyOption) (*Proxy, error) {
	p := &Proxy{upstream: upstream, links: make(map[*link]struct{}), redelay: make(chan struct{})}
	p.settled.L = &p.mu
	p.dialer.Timeout = Patience
	for _, opt := range opts {
		if err := opt(p); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.serve(ln, p.handle)
	return p, nil
}

// NewProxy starts a proxy in front of the listener at upstream, as
// StartProxy does, and fails the test if it cannot. The test's cleanup
// closes it.
func NewProxy(tb testing.TB, upstream string, opts ...ProxyOption) *Proxy {
	tb.Helper()
	p, err := StartProxy(upstream, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

// handle relays one accepted connection, unless the proxy is refusing.
func (p *Proxy) handle(client net.Conn) {
	if p.refusing.Load() {
		p.refused.Add(1)
		reset(client)
		return
	}
	up, err := p.dialer.DialContext(p.ctx, "tcp", p.upstream)
	if err != nil {
		// What a client of the real listener would see had it been down.
		reset(client)
		return
	}
	defer up.Close()
	if !p.track(up) {
		return
	}
	defer p.forget(up)
	p.run(client, up)
}

// Refuse makes the proxy, while on, end each connection it accepts at once
// with a reset, as close as loopback comes to a peer that is down: the
// dial fails, or the connection's first read or write does. Connections it
// already relays go on. Refuse(false) accepts again.
func (p *Proxy) Refuse(on bool) { p.refusing.Store(on) }

// Stall makes the proxy, while on, hold the bytes it reads instead of
// forwarding them, in both directions of every connection, as a network
// that has gone silent would. It keeps reading while it has room (a few
// MiB a direction), so that senders see their writes succeed. Stall(false)
// forwards what it held, in order; a cut in the meantime drops it. A piece
// already being written when Stall(true) is called still goes.
func (p *Proxy) Stall(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case on && p.release == nil:
		p.release = make(chan struct{})
	case !on && p.release != nil:
		close(p.release)
		p.release = nil
	}
}

// flowing waits while the proxy is stalled; it reports false if done
// closes first.
func (p *Proxy) flowing(done <-chan struct{}) bool {
	for {
		p.mu.Lock()
		release := p.release
		p.mu.Unlock()
		if release == nil {
			return true
		}
		select {
		case <-release:
		case <-done:
			return false
		}
	}
}

// SetDelay makes the proxy forward each byte d after it read it, in order
// and without holding up what follows by more than d, as a long link
// would. It applies at once to bytes already waiting; 0 forwards them
// now.
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = max(d, 0)
	close(p.redelay)
	p.redelay = make(chan struct{})
}

// delayNow returns the delay and a channel closed when it changes.
func (p *Proxy) delayNow() (time.Duration, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delay, p.redelay
}

// Conns returns how many connections the proxy has relayed to upstream.
func (p *Proxy) Conns() int { return int(p.conns.Load()) }

// Cuts returns how many connections the proxy's cuts have ended: Cut,
// Reset, CutAfter and CutEvery each count every connection they end. A
// connection that ends by itself, or with Close, does not count.
func (p *Proxy) Cuts() int { return int(p.cuts.Load()) }

// Refused returns how many connections Refuse has turned away.
func (p *Proxy) Refused() int { return int(p.refused.Load()) }

// Bytes returns how many bytes the proxy has forwarded, over all its
// connections: up from clients to upstream, down the other way.
func (p *Proxy) Bytes() (up, down int64) { return p.up.Load(), p.down.Load() }

// Close stops the proxy: it stops accepting and cutting, resets every
// connection and waits for its goroutines, so that nothing of it runs
// after. It is idempotent.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	p.cutLocked(RST, false)
	every := p.every
	p.every = nil
	p.mu.Unlock()
	every.stop()
	p.cancel()
	p.relay.Close()
}
