package netchan_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/chans"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// wireRequest is request as the codec sees it: the channel is a stream id.
type wireRequest struct {
	N     int
	Reply uint32
}

// hostilePeer is a hand-written dialer to a listener of requests, which
// limits the streams a client may open to maxStreams.
func hostilePeer(t *testing.T, ctx context.Context, maxStreams int) (*testkit.Peer, <-chan request, *errorLog) {
	t.Helper()
	addr, _, lr, log := listenLogged[request](t, ctx, netchan.Insecure(), netchan.WithMaxStreams(maxStreams))
	return testkit.DialPeer(t, addr, testkit.PeerHello()), lr, log
}

func openFrame(id uint32, t reflect.Type) []byte {
	return testkit.Frame(wire.KindOpen, id, wire.AppendOpen(nil, wire.Open{Meta: chans.Meta(t)}))
}

func requestFrame(t *testing.T, seq uint64, reply uint32) []byte {
	t.Helper()
	b, err := codec.CBOR().Marshal(wireRequest{N: 1, Reply: reply})
	if err != nil {
		t.Fatal(err)
	}
	return testkit.DataFrame(1, seq, b)
}

func write(t *testing.T, p *testkit.Peer, frames ...[]byte) {
	t.Helper()
	for _, f := range frames {
		if err := p.Write(f); err != nil {
			t.Fatal(err)
		}
	}
}

var replyType = reflect.TypeFor[chan<- int]()

// A value may name only a stream its sender opened, and that no value
// named before: anything else ends the session with a protocol error,
// reported.
func TestHostileStreamIDs(t *testing.T) {
	cases := []struct {
		name   string
		frames func(t *testing.T, p *testkit.Peer, lr <-chan request)
		code   wire.Code
		err    error
	}{
		{"never opened", func(t *testing.T, p *testkit.Peer, lr <-chan request) {
			write(t, p, requestFrame(t, 0, 5))
		}, wire.CodeProtocol, netchan.ErrProtocol},
		{"the listener's own id", func(t *testing.T, p *testkit.Peer, lr <-chan request) {
			write(t, p, requestFrame(t, 0, 2))
		}, wire.CodeProtocol, netchan.ErrProtocol},
		{"the main stream", func(t *testing.T, p *testkit.Peer, lr <-chan request) {
			write(t, p, requestFrame(t, 0, 1))
		}, wire.CodeProtocol, netchan.ErrProtocol},
		{"named twice", func(t *testing.T, p *testkit.Peer, lr <-chan request) {
			write(t, p, openFrame(3, replyType), requestFrame(t, 0, 3), requestFrame(t, 1, 3))
		}, wire.CodeProtocol, netchan.ErrProtocol},
		{"the other direction", func(t *testing.T, p *testkit.Peer, lr <-chan request) {
			write(t, p, openFrame(3, reflect.TypeFor[<-chan int]()), requestFrame(t, 0, 3))
		}, wire.CodeProtocol, netchan.ErrProtocol},
		{"another element type", func(t *testing.T, p *testkit.Peer, lr <-chan request) {
			write(t, p, openFrame(3, reflect.TypeFor[chan<- string]()), requestFrame(t, 0, 3))
		}, wire.CodeProtocol, netchan.ErrProtocol},
		{"already ended", func(t *testing.T, p *testkit.Peer, lr <-chan request) {
			// A stream whose every direction closed is retired by the
			// listener, which gives its permit back.
			write(t, p, openFrame(3, replyType), requestFrame(t, 0, 3),
				testkit.Frame(wire.KindClose, 3, wire.AppendCount(nil, 0)))
			r, _ := testkit.Recv(t, lr)
			close(r.Reply)
			for {
				h, _, err := p.ReadFrame()
				if err != nil {
					t.Fatalf("waiting for the stream's permit: %v", err)
				}
				if h.Kind == wire.KindStreams {
					break
				}
			}
			write(t, p, requestFrame(t, 1, 3))
		}, wire.CodeProtocol, netchan.ErrProtocol},
		{"more streams than allowed", func(t *testing.T, p *testkit.Peer, lr <-chan request) {
			write(t, p, openFrame(3, replyType), openFrame(5, replyType), openFrame(7, replyType))
		}, wire.CodeLimit, netchan.ErrLimit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, lr, log := hostilePeer(t, ctx, 2)
			c.frames(t, p, lr)
			wantGoAway(t, p, c.code)
			reported(t, log, "the listener to report the hostile client", c.err)
		})
	}
}
