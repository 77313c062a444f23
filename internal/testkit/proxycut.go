package testkit

import (
	"fmt"
	"time"
)

// CutKind says how a Proxy ends the connections it cuts.
type CutKind uint8

const (
	// FIN closes each side cleanly: it reads what the proxy had forwarded,
	// then the end of the stream. Bytes the proxy held are dropped.
	FIN CutKind = iota
	// RST resets each side, as a link that dies or a host that restarts
	// does: its reads and writes fail, and bytes still in flight may be
	// lost.
	RST
)

// String names the kind of cut.
func (k CutKind) String() string {
	switch k {
	case FIN:
		return "FIN"
	case RST:
		return "RST"
	}
	return fmt.Sprintf("CutKind(%d)", uint8(k))
}

// Direction names the way bytes cross a Proxy.
type Direction uint8

const (
	// Either counts bytes in both directions together.
	Either Direction = iota
	// Up is from the client to upstream.
	Up
	// Down is from upstream to the client.
	Down
)

// String names the direction.
func (d Direction) String() string {
	switch d {
	case Either:
		return "either"
	case Up:
		return "up"
	case Down:
		return "down"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// Cut closes every connection the proxy relays, both sides at once, with a
// FIN each. The proxy goes on accepting.
func (p *Proxy) Cut() { p.cutAll(FIN) }

// Reset resets every connection the proxy relays, both sides at once. The
// proxy goes on accepting.
func (p *Proxy) Reset() { p.cutAll(RST) }

// CutEvery cuts every connection each d, with kind, until Close or a call
// with d <= 0. A call replaces the one before.
func (p *Proxy) CutEvery(d time.Duration, kind CutKind) {
	p.mu.Lock()
	old := p.every
	p.every = nil
	if d > 0 && !p.closed {
		p.every = p.startTicker(d, kind)
	}
	p.mu.Unlock()
	old.stop()
}

// ticker is the goroutine of a CutEvery; the proxy owns it.
type ticker struct {
	quit, done chan struct{}
}

func (p *Proxy) startTicker(d time.Duration, kind CutKind) *ticker {
	t := &ticker{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.cutAll(kind)
			case <-t.quit:
				return
			}
		}
	}()
	return t
}

// stop ends the goroutine and waits for it; a nil ticker has none.
func (t *ticker) stop() {
	if t == nil {
		return
	}
	close(t.quit)
	<-t.done
}

// cutAll cuts the connections relayed now and counts them.
func (p *Proxy) cutAll(kind CutKind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cutLocked(kind, true)
}

// cutLocked cuts the live links; p.mu is held, so that no writer reserves
// bytes on a link between the decision to cut it and the cut.
func (p *Proxy) cutLocked(kind CutKind, counted bool) {
	for l := range p.links {
		l.cut(kind, counted)
	}
}
