package natsconn

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// testHub returns a hub on a NATS server of its own, released at the end
// of the test.
func testHub(tb testing.TB) *hub {
	tb.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		tb.Fatal(err)
	}
	s.Start()
	tb.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(20 * time.Second) {
		tb.Fatal("the NATS server did not start")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	h, err := newHub(nc, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(h.release)
	return h
}

// peerConn returns an established connection of h whose peer is a
// subject no one subscribes to: the test plays the peer by handing
// messages to arrived.
func peerConn(tb testing.TB, h *hub) *Conn {
	c := newConn(h, "local", "remote")
	if !h.add(c) {
		tb.Fatal("hub released")
	}
	c.establish("natsconn.test.nowhere", recvWindow, 1<<20)
	return c
}

// FuzzPeer plays a hostile peer: a program of messages, mostly well formed
// with numbers near the expected ones, and reads between them. Whatever
// it sends, the connection holds at most a window unread, reads return
// exactly the data it accepted, in order, and once broken it stays broken.
func FuzzPeer(f *testing.F) {
	f.Add([]byte{0, 0, 10, 0, 3, 0, 0, 4, 1, 0})
	f.Add([]byte{0, 0, 255, 255, 2, 1, 0, 0, 0, 0, 4, 0, 1})
	f.Add([]byte{3, 0, 0, 0, 0, 0, 0, 5, 7, 0})
	f.Add(bytes.Repeat([]byte{0, 0, 255, 255}, 300))
	h := testHub(f)
	f.Fuzz(func(t *testing.T, program []byte) {
		c := peerConn(t, h)
		defer c.Close()
		var accepted, got []byte // the model: the stream the connection took, and what was read
		var seq uint64
		var broken error
		for len(program) >= 4 {
			op, a, b1, b2 := program[0], program[1], program[2], program[3]
			program = program[4:]
			size := int(b1)<<8 | int(b2)
			switch op % 5 {
			case 0, 1: // a message
				k := kindData + kind(op/5)%5
				h := header{kind: k, seq: seq, ack: uint64(a >> 4), read: uint64(a>>2) % 4}
				switch a % 3 {
				case 1:
					h.seq++ // a gap
				case 2:
					h.seq-- // a replay, or a number far off
				}
				var payload []byte
				switch k {
				case kindData:
					payload = bytes.Repeat([]byte{byte(seq)}, size*4)
				case kindReset:
					payload = []byte{a}
				}
				c.mu.Lock()
				before := c.queued
				c.mu.Unlock()
				c.arrived(&nats.Msg{Data: append(appendHeader(nil, h), payload...)})
				c.mu.Lock()
				if c.queued > before {
					accepted = append(accepted, payload...)
				}
				if h.seq == seq && c.recvSeq == seq+1 {
					seq++
				}
				c.mu.Unlock()
			case 2: // raw bytes, which may happen to form a message it takes
				raw := program[:min(size%64, len(program))]
				c.mu.Lock()
				before := c.queued
				c.mu.Unlock()
				c.arrived(&nats.Msg{Data: raw})
				c.mu.Lock()
				if n := c.queued - before; n > 0 { // a data message's payload ends it
					accepted = append(accepted, raw[len(raw)-n:]...)
				}
				seq = max(seq, c.recvSeq)
				c.mu.Unlock()
			default: // a read
				_ = c.SetReadDeadline(time.Now().Add(-time.Second))
				if size%2 == 0 {
					_ = c.SetReadDeadline(time.Time{})
				}
				c.mu.Lock()
				waiting := c.queued > 0 || c.err != nil || c.finGot
				c.mu.Unlock()
				if !waiting && size%2 == 0 {
					continue // a read would wait for ever
				}
				buf := make([]byte, size%5000+1)
				n, _ := c.Read(buf)
				got = append(got, buf[:n]...)
			}
			c.mu.Lock()
			switch {
			case c.queued > recvWindow:
				t.Fatalf("%d bytes held unread, beyond the window", c.queued)
			case broken != nil && c.err != broken:
				t.Fatalf("broken with %v, then %v", broken, c.err)
			case c.peerAck > c.sendSeq || c.peerRead > c.sent:
				t.Fatalf("the peer acknowledged %d messages and %d bytes of %d and %d", c.peerAck, c.peerRead, c.sendSeq, c.sent)
			}
			if c.err != nil && !errors.Is(c.err, ErrBroken) {
				t.Fatalf("broken with %v, which does not wrap ErrBroken", c.err)
			}
			broken = c.err
			c.mu.Unlock()
			if !bytes.HasPrefix(accepted, got) {
				t.Fatalf("read %d bytes that differ from the %d accepted", len(got), len(accepted))
			}
		}
	})
}
