package conn

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// sent is a data or values frame as the raw peer read it.
type sent struct {
	kind    wire.Kind
	seq     uint64 // the first value's
	values  [][]byte
	payload int
}

// readValues reads the frames of the main stream that carry n values,
// skipping acks and pings and failing the test on any other frame.
func (p *rawPeer) readValues(n int) []sent {
	p.t.Helper()
	var frames []sent
	for got := 0; got < n; {
		f := p.read()
		switch f.Kind {
		case wire.KindAck, wire.KindPing:
			continue
		case wire.KindData:
			d, err := wire.ParseData(f.Payload)
			if err != nil {
				p.t.Fatal(err)
			}
			frames = append(frames, sent{wire.KindData, d.Seq, [][]byte{d.Value}, len(f.Payload)})
		case wire.KindValues:
			vs, err := wire.ParseValues(f.Payload)
			if err != nil {
				p.t.Fatal(err)
			}
			fr := sent{kind: wire.KindValues, seq: vs.Seq, payload: len(f.Payload)}
			for {
				d, ok, err := vs.Next()
				if err != nil {
					p.t.Fatal(err)
				}
				if !ok {
					break
				}
				fr.values = append(fr.values, d.Value)
			}
			frames = append(frames, fr)
		default:
			p.t.Fatalf("raw peer: a %s frame among the values", f.Kind)
		}
		if f.Stream != MainStream {
			p.t.Fatalf("raw peer: values on stream %d", f.Stream)
		}
		got += len(frames[len(frames)-1].values)
	}
	return frames
}

// sendN sends the values on s's main stream in one SendN, reserving them
// first, and returns the frames the raw peer read for them, checking that
// they carry the values in order, numbered from 0.
func sendN(t *testing.T, s *Session, p *rawPeer, values [][]byte) []sent {
	t.Helper()
	if got := s.Main().TryReserveN(len(values)); got != len(values) {
		t.Fatalf("reserved %d of %d", got, len(values))
	}
	if seq, err := s.Main().SendN(len(values), func(i int) []byte { return values[i] }); err != nil || seq != 0 {
		t.Fatalf("SendN = %d, %v", seq, err)
	}
	frames := p.readValues(len(values))
	next := 0
	for _, f := range frames {
		if f.seq != uint64(next) {
			t.Errorf("a %s frame numbered %d after %d values", f.kind, f.seq, next)
		}
		for _, v := range f.values {
			if next < len(values) && !bytes.Equal(v, values[next]) {
				t.Errorf("value %d arrived as %.20q, want %.20q", next, v, values[next])
			}
			next++
		}
	}
	if next != len(values) {
		t.Errorf("the frames carried %d values, want %d", next, len(values))
	}
	return frames
}

// layout describes frames as their kinds and the values each carried.
func layout(frames []sent) string {
	var b strings.Builder
	for _, f := range frames {
		fmt.Fprintf(&b, "%s[%d:%d] ", f.kind, f.seq, f.seq+uint64(len(f.values)))
	}
	return strings.TrimSpace(b.String())
}

// SendN packs runs of small values in values frames; a value too large to
// share a frame goes alone in a data frame, in its place, as does a value
// with no other behind it.
func TestSendNPacksValues(t *testing.T) {
	for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
		t.Run(role.String(), func(t *testing.T) {
			s, p := sessionAndPeer(t, role, valuesConfig(), valuesConfig(), nil)
			big := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, wire.MaxValuesPayload) }
			var values [][]byte
			for i := range 8 {
				values = append(values, []byte(fmt.Sprint("small ", i)))
			}
			values[3], values[6] = big(3), big(6)
			frames := sendN(t, s, p, values)
			want := "values[0:3] data[3:4] values[4:6] data[6:7] data[7:8]"
			if got := layout(frames); got != want {
				t.Errorf("frames %s, want %s", got, want)
			}
		})
	}
}

// A burst of small values fills values frames to their bound, each as
// full as the next value allows.
func TestSendNFillsValuesFrames(t *testing.T) {
	cfg := valuesConfig()
	cfg.Capacity = 1000
	s, p, _ := rawDialer(t, cfg, cfg, nil)
	values := make([][]byte, 1000)
	for i := range values {
		values[i] = fmt.Appendf(nil, "%09d", i)
	}
	frames := sendN(t, s, p, values)
	for i, f := range frames {
		if f.kind != wire.KindValues {
			t.Fatalf("frames %s: a %s frame among small values", layout(frames), f.kind)
		}
		if f.payload > wire.MaxValuesPayload {
			t.Errorf("frame %d: a payload of %d bytes", i, f.payload)
		}
		if i < len(frames)-1 && f.payload+1+len(values[0]) <= wire.MaxValuesPayload {
			t.Errorf("frame %d: %d bytes and %d values, the next would have fit", i, f.payload, len(f.values))
		}
	}
	if len(frames) != 3 {
		t.Errorf("frames %s, want three", layout(frames))
	}
}

// Between two sessions, rendezvous on their main streams, values that
// SendN packs on a buffered stream arrive whole and in order, then the
// close.
func TestSendNRendezvousSession(t *testing.T) {
	cfg := valuesConfig()
	cfg.Capacity = 0
	p := connect(t, cfg, cfg, nil)
	ctx := patience(t)
	st, err := p.d.Open(8, []byte("m"), nil)
	if err != nil {
		t.Fatal(err)
	}
	value := func(i int) []byte { return fmt.Appendf(nil, "value %d", i) }
	sent := make(chan error, 1)
	go func() { sent <- sendSegments(ctx, st, nil, 2, 8, 8, value) }()
	in, err := p.a.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := recvValues(ctx, in, 16, value); err != nil {
		t.Fatal(err)
	}
	if err, _ := testkit.Recv(t, sent); err != nil {
		t.Fatal(err)
	}
	if sent, alone := p.d.Stats().BytesSent, uint64(16*(wire.HeaderSize+1+len("value 1"))); sent >= alone {
		t.Errorf("%d bytes sent, as many as data frames alone would take (%d)", sent, alone)
	}
}
