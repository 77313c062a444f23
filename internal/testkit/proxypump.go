package testkit

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"time"
)

const (
	// readSize is the most one read of the proxy takes.
	readSize = 32 << 10
	// queued is how many reads a direction holds, stalled or delayed,
	// before it stops reading and the sender's writes wait.
	queued = 128
	// whole is the most one write takes when pieces are not split.
	whole = 64 << 10
)

// pump moves one direction's bytes: read takes them from src as they come
// and queues them, write forwards them to dst as the proxy's faults allow.
type pump struct {
	l        *link
	dir      Direction
	src, dst net.Conn
	q        chan chunk
	quit     chan struct{} // closed when write returns, so read never waits on it
	size     func() int    // the next piece's size
}

// chunk is what one read returned, and when.
type chunk struct {
	b  []byte
	at time.Time
}

func (l *link) pump(dir Direction, src, dst net.Conn, index uint64) *pump {
	pu := &pump{l: l, dir: dir, src: src, dst: dst, q: make(chan chunk, queued), quit: make(chan struct{})}
	pu.size = func() int { return whole }
	if s := l.p.split; s != nil {
		rng := rand.New(rand.NewPCG(s.seed, index<<2|uint64(dir)))
		pu.size = func() int { return 1 + rng.IntN(s.maxPiece) }
	}
	return pu
}

func (l *link) isCut() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// read queues what src sends until it ends. After a cut it reads on and
// drops, until src closes or the FIN linger passes.
func (pu *pump) read() {
	buf := make([]byte, readSize)
	for {
		n, err := pu.src.Read(buf)
		if n > 0 && !pu.l.isCut() {
			select {
			case pu.q <- chunk{b: bytes.Clone(buf[:n]), at: time.Now()}:
			case <-pu.quit:
			}
		}
		if err == nil {
			continue
		}
		switch {
		case pu.l.isCut():
		case errors.Is(err, io.EOF):
			// The sender closed its side: write forwards the rest, then a FIN.
			close(pu.q)
		default:
			// As the other side would have seen without the proxy.
			pu.l.cut(RST, false)
		}
		return
	}
}

// write forwards the queue to dst, in pieces, as stalls, the delay and the
// CutAfter budget allow, until the queue ends or a cut.
func (pu *pump) write() {
	defer close(pu.quit)
	l, p := pu.l, pu.l.p
	var pend []chunk
	var piece []byte
	eof := false
	for {
		if len(pend) == 0 {
			if eof {
				closeWrite(pu.dst)
				return
			}
			select {
			case c, ok := <-pu.q:
				if !ok {
					eof = true
					continue
				}
				pend = append(pend, c)
			case <-l.done:
				return
			}
		}
		if !pu.due(pend[0].at) || !p.flowing(l.done) {
			return
		}
		piece, pend, eof = pu.gather(piece[:0], pend, eof)
		g := p.reserve(l, pu.dir, len(piece))
		if g.n == 0 {
			<-l.done
			return
		}
		n, err := pu.dst.Write(piece[:g.n])
		p.settle(pu.dir, g, n)
		if g.last {
			return
		}
		if err != nil {
			l.cut(RST, false)
			return
		}
	}
}

// due waits until bytes read at are due under the delay, as it is now or
// becomes while waiting; it reports false if the link is cut first.
func (pu *pump) due(at time.Time) bool {
	for {
		delay, changed := pu.l.p.delayNow()
		wait := time.Until(at.Add(delay))
		if wait <= 0 {
			return !pu.l.isCut()
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
			return true
		case <-changed:
			t.Stop()
		case <-pu.l.done:
			t.Stop()
			return false
		}
	}
}

// gather appends to piece the next piece's worth of bytes that are due,
// from pend and then from the queue, without waiting for more.
func (pu *pump) gather(piece []byte, pend []chunk, eof bool) ([]byte, []chunk, bool) {
	size := pu.size()
	delay, _ := pu.l.p.delayNow()
	now := time.Now()
	for len(piece) < size {
		if len(pend) == 0 {
			if eof {
				break
			}
			select {
			case c, ok := <-pu.q:
				if !ok {
					eof = true
					continue
				}
				pend = append(pend, c)
			default:
			}
			if len(pend) == 0 {
				break
			}
		}
		c := &pend[0]
		// The first is due: write waited for it.
		if len(piece) > 0 && c.at.Add(delay).After(now) {
			break
		}
		k := min(size-len(piece), len(c.b))
		piece = append(piece, c.b[:k]...)
		c.b = c.b[k:]
		if len(c.b) == 0 {
			pend = pend[1:]
		}
	}
	return piece, pend, eof
}
