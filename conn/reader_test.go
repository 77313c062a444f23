package conn

import (
	"context"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
	nsync "github.com/netchan/netchan/sync"
)

func TestHonestPath(t *testing.T) {
	c, p := pipeConn(t, testConfig(), wire.RoleListener)
	if c.Capacity() != 2 || c.PeerMaxValue() != 1024 {
		t.Fatalf("agreed capacity %d, peer max value %d", c.Capacity(), c.PeerMaxValue())
	}
	s := c.Stream()
	ctx := context.Background()

	// Values from the peer arrive in order, pings between them are nothing;
	// taking values returns credit.
	p.write(dataFrame(MainStream, 0, "a"), frameBytes(wire.KindPing, 0, nil), dataFrame(MainStream, 1, "b"))
	for _, want := range []string{"a", "b"} {
		m, err := s.Next(ctx)
		if err != nil || string(m.Value) != want {
			t.Fatalf("Next = %q, %v; want %q", m.Value, err, want)
		}
		m.Release()
		s.Take()
	}
	var credits uint64
	for credits < 2 {
		f := p.read()
		if f.Kind != wire.KindCredit || f.Stream != MainStream {
			t.Fatalf("got a %s frame on stream %d, want credit", f.Kind, f.Stream)
		}
		n, err := wire.ParseCount(f.Payload, f.Kind)
		if err != nil || n == 0 {
			t.Fatalf("credit %d, %v", n, err)
		}
		credits += n
	}
	if credits != 2 {
		t.Fatalf("%d credits for 2 values", credits)
	}

	// A value to the peer; its credit is the ack a rendezvous waits for.
	if err := s.Reserve(ctx); err != nil {
		t.Fatal(err)
	}
	seq, err := s.Send([]byte("x"))
	if err != nil || seq != 0 {
		t.Fatalf("Send = %d, %v", seq, err)
	}
	f := p.read()
	d, err := wire.ParseData(f.Payload)
	if f.Kind != wire.KindData || f.Stream != MainStream || err != nil || d.Seq != 0 || string(d.Value) != "x" {
		t.Fatalf("got %s frame %+v (%v), want data 0 \"x\"", f.Kind, d, err)
	}
	acked := make(chan error, 1)
	go func() { acked <- s.WaitTaken(ctx, 0) }()
	p.write(countFrame(wire.KindCredit, MainStream, 1))
	if err, _ := testkit.Recv(t, acked); err != nil {
		t.Fatalf("WaitTaken: %v", err)
	}

	// Close in both directions.
	p.write(countFrame(wire.KindClose, MainStream, 2))
	if _, err := s.Next(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after the peer's close: %v, want io.EOF", err)
	}
	if err := s.CloseSend(); err != nil {
		t.Fatal(err)
	}
	f = p.read()
	if n, err := wire.ParseCount(f.Payload, f.Kind); f.Kind != wire.KindClose || err != nil || n != 1 {
		t.Fatalf("got %s frame with count %d (%v), want close 1", f.Kind, n, err)
	}

	// The peer says goodbye and hangs up.
	p.write(goAwayFrame(wire.CodeNormal, "done"))
	_ = p.nc.Close()
	wantErr(t, "after the peer's goaway", ended(t, c), ErrPeerClosed)
}

func TestPeerGoAwayWithCode(t *testing.T) {
	c, p := pipeConn(t, testConfig(), wire.RoleDialer)
	drained := p.drain()
	p.write(goAwayFrame(wire.CodeLimit, "too many"))
	_ = p.nc.Close()
	err := ended(t, c)
	var g *GoAwayError
	if !errors.As(err, &g) || g.Code != wire.CodeLimit || g.Reason != "too many" {
		t.Errorf("error %v, want a GoAwayError with the peer's code and reason", err)
	}
	wantErr(t, "goaway with CodeLimit", err, ErrLimit)
	<-drained
}

// protocolCases are frames a Conn must refuse, each with the errors its
// failure must wrap. The Conn has capacity 2 and accepts values of 1024
// bytes.
var protocolCases = []struct {
	name   string
	frames [][]byte
	want   []error
}{
	{"unknown kind", [][]byte{{0, 0, 0, 0, 9, 0, 0, 0, 1}}, []error{ErrProtocol, wire.ErrMalformed}},
	{"kind zero", [][]byte{{0, 0, 0, 1, 0, 0, 0, 0, 1, 0}}, []error{ErrProtocol, wire.ErrMalformed}},
	{"data for unknown stream", [][]byte{dataFrame(7, 0, "v")}, []error{ErrProtocol}},
	{"data on stream 0", [][]byte{dataFrame(0, 0, "v")}, []error{ErrProtocol}},
	{"credit for unknown stream", [][]byte{countFrame(wire.KindCredit, 2, 1)}, []error{ErrProtocol}},
	{"close for unknown stream", [][]byte{countFrame(wire.KindClose, 0xFFFFFFFF, 0)}, []error{ErrProtocol}},
	{"data beyond the window", [][]byte{dataFrame(1, 0, "a"), dataFrame(1, 1, "b"), dataFrame(1, 2, "c")}, []error{ErrProtocol, nsync.ErrOverrun}},
	{"data out of sequence", [][]byte{dataFrame(1, 1, "b")}, []error{ErrProtocol, nsync.ErrSequence}},
	{"data repeated", [][]byte{dataFrame(1, 0, "a"), dataFrame(1, 0, "a")}, []error{ErrProtocol, nsync.ErrSequence}},
	{"credit for values never sent", [][]byte{countFrame(wire.KindCredit, 1, 1)}, []error{ErrProtocol, nsync.ErrOverGrant}},
	{"zero credit", [][]byte{countFrame(wire.KindCredit, 1, 0)}, []error{ErrProtocol, nsync.ErrOverGrant}},
	{"duplicate close", [][]byte{countFrame(wire.KindClose, 1, 0), countFrame(wire.KindClose, 1, 0)}, []error{ErrProtocol, nsync.ErrAfterClose}},
	{"data after close", [][]byte{countFrame(wire.KindClose, 1, 0), dataFrame(1, 0, "late")}, []error{ErrProtocol, nsync.ErrAfterClose}},
	{"close with a wrong count", [][]byte{dataFrame(1, 0, "a"), countFrame(wire.KindClose, 1, 3)}, []error{ErrProtocol, nsync.ErrCloseCount}},
	{"hello after the handshake", [][]byte{helloFrame(peerHello(testConfig(), wire.RoleDialer))}, []error{ErrProtocol}},
	{"data without a sequence number", [][]byte{frameBytes(wire.KindData, 1, nil)}, []error{ErrProtocol, wire.ErrMalformed}},
	{"credit with trailing bytes", [][]byte{frameBytes(wire.KindCredit, 1, []byte{1, 0})}, []error{ErrProtocol, wire.ErrMalformed}},
	{"ping with a payload", [][]byte{frameBytes(wire.KindPing, 0, []byte{0})}, []error{ErrProtocol}},
	{"malformed goaway", [][]byte{frameBytes(wire.KindGoAway, 0, []byte{0, 9, 'x'})}, []error{ErrProtocol, wire.ErrMalformed}},
	{"oversized control frame", [][]byte{wire.AppendHeader(nil, wire.Header{Length: 0xFFFFFFFF, Kind: wire.KindCredit, Stream: 1})}, []error{ErrProtocol}},
	{"value one byte above MaxValue", [][]byte{dataFrame(1, 0, string(make([]byte, 1025)))}, []error{ErrTooLarge}},
	{"value above MaxValue", [][]byte{dataFrame(1, 0, string(make([]byte, 1024+10)))}, []error{ErrTooLarge}},
}

func TestProtocolViolations(t *testing.T) {
	for _, tc := range protocolCases {
		t.Run(tc.name, func(t *testing.T) {
			c, p := pipeConn(t, testConfig(), wire.RoleListener)
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
						return
					}
				}
			}()
			for _, f := range tc.frames {
				// The Conn may close the pipe after the first bad frame.
				if _, err := p.nc.Write(f); err != nil {
					break
				}
			}
			err := ended(t, c)
			wantErr(t, tc.name, err, tc.want...)
			g, ok := testkit.Recv(t, got)
			if !ok {
				t.Fatal("the Conn sent no goaway")
			}
			if want := codeOf(err); g.Code != want || want == wire.CodeNormal {
				t.Errorf("goaway code %s, want %s", g.Code, want)
			}
		})
	}
}

func TestTruncatedFrame(t *testing.T) {
	c, p := pipeConn(t, testConfig(), wire.RoleListener)
	drained := p.drain()
	f := dataFrame(MainStream, 0, "0123456789")
	p.write(f[:wire.HeaderSize+3])
	_ = p.nc.Close()
	wantErr(t, "truncated frame", ended(t, c), ErrConnLost, io.ErrUnexpectedEOF)
	<-drained
}

func TestTruncatedHeader(t *testing.T) {
	c, p := pipeConn(t, testConfig(), wire.RoleListener)
	drained := p.drain()
	p.write(dataFrame(MainStream, 0, "v")[:4])
	_ = p.nc.Close()
	wantErr(t, "truncated header", ended(t, c), ErrConnLost, io.ErrUnexpectedEOF)
	<-drained
}

// A frame whose header claims 4 GiB fails the connection from the header
// alone: nothing of that size is allocated or awaited.
func TestFrameClaiming4GiB(t *testing.T) {
	c, p := pipeConn(t, testConfig(), wire.RoleListener)
	drained := p.drain()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p.write(wire.AppendHeader(nil, wire.Header{Length: 0xFFFFFFFF, Kind: wire.KindData, Stream: MainStream}))
	// The peer does not hang up: only the header can end the connection.
	wantErr(t, "4 GiB frame", ended(t, c), ErrTooLarge)
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("reading the header allocated %d bytes", grew)
	}
	_ = p.nc.Close()
	<-drained
}

// The largest MaxValue allowed must not wrap the frame bound around and
// refuse ordinary values.
func TestHugeMaxValue(t *testing.T) {
	cfg := testConfig()
	cfg.MaxValue = MaxValueLimit
	c, p := pipeConn(t, cfg, wire.RoleListener)
	p.write(dataFrame(MainStream, 0, "a value longer than ten bytes"))
	m, err := c.Stream().Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	m.Release()
}
