package testkit

import (
	"net"
	gosync "sync"
	"time"
)

// finLinger is how long a side that a FIN cut closed may take to close its
// end too. Until then the proxy reads and drops what it sends, so that
// closing does not turn the FIN into a reset that could cost the side the
// bytes forwarded before it; after, the proxy closes anyway, and a side
// that only writes learns of the cut from the reset.
const finLinger = time.Second

// link is one relayed connection: a client and the upstream connection
// made for it, and a pump for each direction.
type link struct {
	p      *Proxy
	client net.Conn
	up     net.Conn
	done   chan struct{} // closed by the first cut, or when the link ends
	once   gosync.Once
}

// run relays between client and up until both directions end or a cut,
// then closes both.
func (p *Proxy) run(client, up net.Conn) {
	l := &link{p: p, client: client, up: up, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()
	index := uint64(p.conns.Add(1))

	var wg gosync.WaitGroup
	for _, pu := range []*pump{
		l.pump(Up, client, up, index),
		l.pump(Down, up, client, index),
	} {
		wg.Go(pu.read)
		wg.Go(pu.write)
	}
	wg.Wait()
	// Ended by itself: a cut now is no cut.
	l.once.Do(func() { close(l.done) })
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
	_ = client.Close()
	_ = up.Close()
}

// cut ends the link with kind, unless it has ended; a counted cut is one
// of the proxy's Cuts, counted before either side can see it.
func (l *link) cut(kind CutKind, counted bool) {
	l.once.Do(func() {
		if counted {
			l.p.cuts.Add(1)
		}
		close(l.done)
		now := time.Now()
		for _, c := range []net.Conn{l.client, l.up} {
			if kind == RST {
				reset(c)
				continue
			}
			// A writer blocked on a side that does not read gives up now;
			// what it wrote before goes out ahead of the FIN.
			_ = c.SetWriteDeadline(now)
			closeWrite(c)
			_ = c.SetReadDeadline(now.Add(finLinger))
		}
	})
}

// reset ends c with a RST rather than a FIN.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// closeWrite sends c's peer the end of the stream, or closes c if it
// cannot end one direction alone.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}
