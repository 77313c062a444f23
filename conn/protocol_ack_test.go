package conn

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// sentFrame makes s send one value on its main stream and returns the size
// of the data frame p read for it.
func sentFrame(t *testing.T, s *Session, p *rawPeer) uint64 {
	t.Helper()
	if err := sendInts(patience(t), s.Main(), 0, 1); err != nil {
		t.Fatal(err)
	}
	f := p.expect(wire.KindData)
	return uint64(wire.HeaderSize) + uint64(f.Length)
}

// The peer counts whole frames: an ack that falls inside one is a
// protocol error, not a count to act on.
func TestAckInsideAFrame(t *testing.T) {
	s, p, _ := rawDialer(t, testConfig(), testConfig(), nil)
	size := sentFrame(t, s, p)
	bye := p.drain()
	p.write(countFrame(wire.KindAck, 0, size-1))
	wantErr(t, "an ack inside a frame", ended(t, s), ErrProtocol)
	if g, ok := testkit.Recv(t, bye); !ok || g.Code != wire.CodeProtocol {
		t.Errorf("goaway %+v (%v)", g, ok)
	}
}

// A resume whose count of bytes received falls inside a frame, or beyond
// what was sent, cannot be rewound to: the listener closes that
// connection and waits for the next, and a resume with the true count
// then carries on.
func TestResumeCountInsideAFrame(t *testing.T) {
	s, p, l := rawDialer(t, testConfig(), testConfig(), nil)
	addr := l.Addr().String()
	size := sentFrame(t, s, p)
	p.reset()
	for i, received := range []uint64{size - 1, size + 1} {
		q, h := p.resumeConn(addr, uint64(i+1))
		h.Received = received
		q.sendHello(h)
		// The listener answers before it rewinds, then closes.
		if err := q.resumed(uint64(i + 1)); err != nil {
			t.Fatal(err)
		}
		_ = q.nc.SetReadDeadline(time.Now().Add(testkit.Patience))
		var ne net.Error
		if _, err := io.Copy(io.Discard, q.nc); errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the listener kept a connection it could not rewind to %d", received)
		}
		if s.Err() != nil {
			t.Fatalf("the session ended: %v", s.Err())
		}
	}
	q, h := p.resumeConn(addr, 3)
	q.sendHello(h)
	if err := q.resumed(3); err != nil {
		t.Fatal(err)
	}
	// The value the peer has is not sent again: the next is.
	if err := sendInts(patience(t), s.Main(), 1, 2); err != nil {
		t.Fatal(err)
	}
	f := q.expect(wire.KindData)
	if d, err := wire.ParseData(f.Payload); err != nil || d.Seq != 1 {
		t.Fatalf("after the resume: data %+v (%v), want value 1", d, err)
	}
}
