package wire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// checkErr fails the fuzz run if a parse error does not say the bytes are
// malformed: every rejection must be one callers can classify.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrVersion) {
		t.Fatalf("error %v does not wrap ErrMalformed", err)
	}
}

func FuzzParseHeader(f *testing.F) {
	for k := KindHello; k <= lastKind; k++ {
		f.Add(AppendHeader(nil, Header{Length: uint32(k) * 100, Kind: k, Stream: uint32(k) % 2}))
	}
	f.Add(AppendHeader(nil, Header{Length: 0xFFFFFFFF, Kind: KindData, Stream: 1}))
	f.Add([]byte{0, 0, 0, 1, 9, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			checkErr(t, err)
			return
		}
		out := AppendHeader(nil, h)
		if !bytes.Equal(out, b[:HeaderSize]) {
			t.Fatalf("header % x re-appended as % x", b[:HeaderSize], out)
		}
	})
}

func FuzzParseHello(f *testing.F) {
	f.Add(AppendHello(nil, sampleHello()))
	f.Add(AppendHello(nil, Hello{Version: Version, Role: RoleListener, Codec: "gob", MaxValue: 64}))
	f.Add(AppendHello(nil, Hello{Version: Version, Role: RoleDialer, Window: MaxResumeWindow, MaxStreams: MaxStreams, Counter: 1 << 50, Codec: strings.Repeat("j", MaxCodecName),
		Capacity: MaxCapacity, MaxValue: 1 << 62, Idle: 1 << 40, Proof: bytes.Repeat([]byte{7}, MaxProof)}))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, p []byte) {
		h, err := ParseHello(p)
		if err != nil {
			checkErr(t, err)
			return
		}
		out := AppendHello(nil, h)
		if !bytes.Equal(out, p) {
			t.Fatalf("hello % x re-appended as % x", p, out)
		}
		again, err := ParseHello(out)
		if err != nil || !helloEqual(again, h) {
			t.Fatalf("re-appended hello parsed as %+v, %v; want %+v", again, err, h)
		}
	})
}

func FuzzParseData(f *testing.F) {
	f.Add(append(AppendDataPrefix(nil, 0), "value"...))
	f.Add(append(AppendDataPrefix(nil, 300), 0xA1, 0x01, 0x02))
	f.Add(AppendDataPrefix(nil, ^uint64(0)))
	f.Fuzz(func(t *testing.T, p []byte) {
		d, err := ParseData(p)
		if err != nil {
			checkErr(t, err)
			return
		}
		if len(p) != DataPrefixLen(d.Seq)+len(d.Value) {
			t.Fatalf("prefix of %d bytes and value of %d do not make up %d bytes", DataPrefixLen(d.Seq), len(d.Value), len(p))
		}
		out := append(AppendDataPrefix(nil, d.Seq), d.Value...)
		if !bytes.Equal(out, p) {
			t.Fatalf("data % x re-appended as % x", p, out)
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, n := range []uint64{0, 1, 128, 1 << 40, ^uint64(0)} {
		f.Add(AppendCount(nil, n), uint8(KindCredit))
	}
	f.Add(AppendCount(nil, 3), uint8(KindClose))
	f.Fuzz(func(t *testing.T, p []byte, kind uint8) {
		n, err := ParseCount(p, Kind(kind))
		if err != nil {
			checkErr(t, err)
			return
		}
		if out := AppendCount(nil, n); !bytes.Equal(out, p) {
			t.Fatalf("count % x re-appended as % x", p, out)
		}
	})
}

func FuzzParseGoAway(f *testing.F) {
	f.Add(AppendGoAway(nil, GoAway{Code: CodeNormal, Reason: "closed"}))
	f.Add(AppendGoAway(nil, GoAway{Code: CodeProtocol, Reason: "netchan: protocol error: frame for unknown stream 9"}))
	f.Add(AppendGoAway(nil, GoAway{Code: Code(99), Reason: strings.Repeat("é", MaxReason)}))
	f.Add(AppendGoAway(nil, GoAway{}))
	f.Fuzz(func(t *testing.T, p []byte) {
		g, err := ParseGoAway(p)
		if err != nil {
			checkErr(t, err)
			return
		}
		out := AppendGoAway(nil, g)
		again, err := ParseGoAway(out)
		if err != nil || again != g {
			t.Fatalf("re-appended goaway parsed as %+v, %v; want %+v", again, err, g)
		}
		// A reason that was valid UTF-8 is kept as is, so the bytes repeat.
		if g.Reason != "(reason not UTF-8)" && !bytes.Equal(out, p) {
			t.Fatalf("goaway % x re-appended as % x", p, out)
		}
	})
}

func FuzzParseOpen(f *testing.F) {
	f.Add(AppendOpen(nil, Open{Capacity: 8, Meta: []byte("<-chan int")}))
	f.Add(AppendOpen(nil, Open{}))
	f.Add(AppendOpen(nil, Open{Capacity: MaxCapacity, Meta: bytes.Repeat([]byte{0xFF}, MaxMeta)}))
	f.Fuzz(func(t *testing.T, p []byte) {
		o, err := ParseOpen(p)
		if err != nil {
			checkErr(t, err)
			return
		}
		if out := AppendOpen(nil, o); !bytes.Equal(out, p) {
			t.Fatalf("open % x re-appended as % x", p, out)
		}
	})
}

func FuzzParseValues(f *testing.F) {
	f.Add(valuesPayload(0, []byte("a"), []byte("b")))
	f.Add(valuesPayload(300, nil, []byte("one"), nil))
	f.Add(valuesPayload(^uint64(0)-1, bytes.Repeat([]byte{0x80}, 200), []byte{1}))
	f.Add(valuesPayload(1, bytes.Repeat([]byte("f"), MaxValuesPayload-3)))
	f.Add(valuesPayload(0, bytes.Repeat([]byte("o"), MaxValuesPayload-3), nil))
	f.Add(append(valuesPayload(0, []byte("a")), 2, 'b'))
	f.Add(AppendDataPrefix(nil, 9))
	f.Fuzz(func(t *testing.T, p []byte) {
		vs, err := ParseValues(p)
		if err != nil {
			checkErr(t, err)
			return
		}
		if len(p) > MaxValuesPayload {
			t.Fatalf("a values payload of %d bytes parsed", len(p))
		}
		first := vs.Seq
		var sizes []int
		out := AppendDataPrefix(nil, first)
		// Each value takes a byte at least, so the walk ends.
		for range len(p) + 1 {
			d, ok, err := vs.Next()
			if err != nil {
				checkErr(t, err)
				return
			}
			if !ok {
				break
			}
			if want := first + uint64(len(sizes)); d.Seq != want {
				t.Fatalf("value %d numbered %d, want %d", len(sizes), d.Seq, want)
			}
			sizes = append(sizes, len(d.Value))
			out = AppendValue(out, d.Value)
		}
		if len(sizes) == 0 {
			t.Fatal("a values payload without a value parsed")
		}
		if !bytes.Equal(out, p) {
			t.Fatalf("values % x re-appended as % x", p, out)
		}
		// A sender packing these values would put them all in one frame
		// of this payload.
		payload, fit := ValuesSize(first, len(sizes), func(i int) int { return sizes[i] })
		if payload != len(p) || fit != len(sizes) {
			t.Fatalf("ValuesSize of %d values of %d bytes = %d bytes, %d values", len(sizes), len(p), payload, fit)
		}
	})
}
