package conn

import (
	"fmt"
	"io"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// read reads the next frame, failing the test if none comes in time.
func (p *rawPeer) read() frame {
	p.t.Helper()
	f, err := p.tryRead()
	if err != nil {
		p.t.Fatalf("raw peer read: %v", err)
	}
	return f
}

// tryRead reads the next frame within Patience, counting the bytes of
// numbered ones.
func (p *rawPeer) tryRead() (frame, error) {
	_ = p.nc.SetReadDeadline(time.Now().Add(testkit.Patience))
	var hdr [wire.HeaderSize]byte
	if _, err := io.ReadFull(p.nc, hdr[:]); err != nil {
		return frame{}, err
	}
	h, err := wire.ParseHeader(hdr[:])
	if err != nil {
		return frame{}, err
	}
	if h.Length > 1<<20 {
		return frame{}, fmt.Errorf("raw peer: a %s frame of %d bytes is more than a test expects", h.Kind, h.Length)
	}
	f := frame{Header: h, Payload: make([]byte, h.Length)}
	if _, err := io.ReadFull(p.nc, f.Payload); err != nil {
		return frame{}, err
	}
	if h.Kind.Numbered() {
		p.received += uint64(wire.HeaderSize) + uint64(h.Length)
	}
	return f, nil
}

// expect reads frames until one of kind, skipping acks and pings, which
// a Session sends when it likes, and fails the test on any other.
func (p *rawPeer) expect(kind wire.Kind) frame {
	p.t.Helper()
	for {
		f := p.read()
		switch f.Kind {
		case kind:
			return f
		case wire.KindAck, wire.KindPing:
			continue
		}
		p.t.Fatalf("raw peer: got a %s frame on stream %d, want %s", f.Kind, f.Stream, kind)
	}
}

// drain reads and drops what the Session writes until the connection
// ends, so that its writer never waits on a peer that only writes. The
// channel then yields the goaway it read, if any, and closes.
func (p *rawPeer) drain() <-chan wire.GoAway {
	got := make(chan wire.GoAway, 1)
	go func() {
		defer close(got)
		for {
			f, err := p.tryRead()
			if err != nil {
				return
			}
			if f.Kind == wire.KindGoAway {
				if g, err := wire.ParseGoAway(f.Payload); err == nil {
					got <- g
				}
				// Read on to the end, as an honest end does.
				_, _ = io.Copy(io.Discard, p.nc)
				return
			}
		}
	}()
	return got
}

// goAway reads frames until the Session's goaway and returns it, failing
// the test if the connection ends first.
func (p *rawPeer) goAway() wire.GoAway {
	p.t.Helper()
	for {
		f, err := p.tryRead()
		if err != nil {
			p.t.Fatalf("raw peer: no goaway before %v", err)
		}
		if f.Kind == wire.KindGoAway {
			g, err := wire.ParseGoAway(f.Payload)
			if err != nil {
				p.t.Fatal(err)
			}
			return g
		}
	}
}
