package conn

import (
	"bytes"
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

// A peer that credits every value and acknowledges no frame would make the
// send log grow without end: the session ends with ErrLimit, and code 3,
// once the peer left more unacknowledged than its windows allow.
func TestPeerThatNeverAcks(t *testing.T) {
	s, p, _ := rawDialer(t, testConfig(), testConfig(), nil)
	value := bytes.Repeat([]byte("v"), 1000)
	sent := make(chan error, 1)
	go func() {
		ctx := patience(t)
		for {
			if err := s.Main().Reserve(ctx); err != nil {
				sent <- err
				return
			}
			if _, err := s.Main().Send(value); err != nil {
				sent <- err
				return
			}
		}
	}()
	var unacked uint64
	for {
		f, err := p.tryRead()
		if err != nil {
			t.Fatalf("raw peer: %v after %d bytes unacknowledged, and no goaway", err, unacked)
		}
		if f.Kind.Numbered() {
			unacked += uint64(wire.HeaderSize) + uint64(f.Length)
		}
		if unacked > 4*maxQueued {
			t.Fatalf("the session sent %d bytes that no ack covers, and goes on", unacked)
		}
		if f.Kind == wire.KindData {
			if !p.tryWrite(countFrame(wire.KindCredit, MainStream, 1)) {
				t.Fatalf("raw peer: the session stopped reading after %d bytes, before its goaway", unacked)
			}
		}
		if f.Kind == wire.KindGoAway {
			if g, err := wire.ParseGoAway(f.Payload); err != nil || g.Code != wire.CodeLimit {
				t.Fatalf("goaway %+v (%v); want code %d", g, err, wire.CodeLimit)
			}
			break
		}
	}
	p.close()
	wantErr(t, "a peer that never acks", ended(t, s), ErrLimit)
	if err := <-sent; !errors.Is(err, ErrLimit) {
		t.Errorf("the sender stopped with %v; want the session's ErrLimit", err)
	}
}
