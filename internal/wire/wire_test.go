package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// overlong returns v's varint encoding padded with a redundant continuation
// byte, the second encoding of the same number that uvarint must refuse.
func overlong(v uint64) []byte {
	b := binary.AppendUvarint(nil, v)
	b[len(b)-1] |= 0x80
	return append(b, 0)
}

func wantMalformed(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: parsed without error", what)
		return
	}
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("%s: error %v does not wrap ErrMalformed", what, err)
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	for _, h := range []Header{
		{Length: 0, Kind: KindHello, Stream: 0},
		{Length: 1, Kind: KindData, Stream: 1},
		{Length: 0xFFFFFFFF, Kind: KindGoAway, Stream: 0xFFFFFFFF},
		{Length: 0x01020304, Kind: KindCredit, Stream: 0x05060708},
		{Length: 3, Kind: KindClose, Stream: 7},
		{Length: 0, Kind: KindPing, Stream: 0},
	} {
		b := AppendHeader([]byte("prefix"), h)
		if len(b) != len("prefix")+HeaderSize {
			t.Fatalf("%+v: appended %d bytes, want %d", h, len(b)-len("prefix"), HeaderSize)
		}
		got, err := ParseHeader(b[len("prefix"):])
		if err != nil || got != h {
			t.Errorf("ParseHeader(AppendHeader(%+v)) = %+v, %v", h, got, err)
		}
	}
}

func TestHeaderBigEndian(t *testing.T) {
	b := AppendHeader(nil, Header{Length: 0x01020304, Kind: KindData, Stream: 0x0A0B0C0D})
	want := []byte{1, 2, 3, 4, 2, 0x0A, 0x0B, 0x0C, 0x0D}
	if !bytes.Equal(b, want) {
		t.Errorf("header bytes % x, want % x", b, want)
	}
}

func TestHeaderMalformed(t *testing.T) {
	good := AppendHeader(nil, Header{Length: 5, Kind: KindData, Stream: 1})
	for n := range HeaderSize {
		_, err := ParseHeader(good[:n])
		wantMalformed(t, "header truncated to "+string(rune('0'+n))+" bytes", err)
	}
	for _, k := range []byte{0, byte(lastKind) + 1, 0x7F, 0xFF} {
		b := bytes.Clone(good)
		b[4] = k
		_, err := ParseHeader(b)
		wantMalformed(t, Kind(k).String(), err)
	}
}

func TestPutLength(t *testing.T) {
	b := AppendHeader([]byte{0xAA}, Header{Kind: KindData, Stream: 9})
	b = append(b, "payload"...)
	PutLength(b, 1, len(b)-1-HeaderSize)
	h, err := ParseHeader(b[1:])
	if err != nil || h.Length != uint32(len("payload")) || h.Stream != 9 || b[0] != 0xAA {
		t.Errorf("after PutLength: %+v, %v, first byte %#x", h, err, b[0])
	}
}

func TestKindAndCodeStrings(t *testing.T) {
	for k := KindHello; k <= lastKind; k++ {
		if strings.HasPrefix(k.String(), "kind(") {
			t.Errorf("kind %d has no name", k)
		}
	}
	if k := lastKind + 1; k.String() != fmt.Sprintf("kind(%d)", k) {
		t.Errorf("unknown kind prints %q", k.String())
	}
	for c := CodeNormal; c <= CodeSessionLost; c++ {
		if c == 4 {
			continue // reserved
		}
		if strings.HasPrefix(c.String(), "code(") {
			t.Errorf("code %d has no name", c)
		}
	}
	if Role(3).String() != "role(3)" || RoleDialer.String() != "dialer" || RoleListener.String() != "listener" {
		t.Errorf("role names: %v %v %v", RoleDialer, RoleListener, Role(3))
	}
}

func TestDataRoundTrip(t *testing.T) {
	for _, seq := range []uint64{0, 1, 127, 128, 1 << 32, ^uint64(0)} {
		for _, v := range [][]byte{nil, {0}, []byte("hello"), bytes.Repeat([]byte{0xFF}, 300)} {
			p := AppendDataPrefix(nil, seq)
			if len(p) != DataPrefixLen(seq) {
				t.Errorf("DataPrefixLen(%d) = %d, prefix is %d bytes", seq, DataPrefixLen(seq), len(p))
			}
			p = append(p, v...)
			d, err := ParseData(p)
			if err != nil || d.Seq != seq || !bytes.Equal(d.Value, v) {
				t.Errorf("ParseData(seq %d, %d bytes) = %d, %d bytes, %v", seq, len(v), d.Seq, len(d.Value), err)
			}
		}
	}
	if DataPrefixLen(^uint64(0)) != binary.MaxVarintLen64 {
		t.Errorf("largest prefix %d bytes, want %d", DataPrefixLen(^uint64(0)), binary.MaxVarintLen64)
	}
}

func TestDataMalformed(t *testing.T) {
	cases := map[string][]byte{
		"empty":             nil,
		"truncated varint":  {0x80},
		"overlong zero":     overlong(0),
		"overlong 300":      overlong(300),
		"varint beyond u64": append(bytes.Repeat([]byte{0xFF}, 10), 0x01),
	}
	for name, p := range cases {
		_, err := ParseData(p)
		wantMalformed(t, name, err)
	}
}

func TestCountRoundTrip(t *testing.T) {
	for _, n := range []uint64{0, 1, 0x7F, 0x80, 1 << 20, ^uint64(0)} {
		for _, k := range []Kind{KindCredit, KindClose} {
			got, err := ParseCount(AppendCount(nil, n), k)
			if err != nil || got != n {
				t.Errorf("ParseCount(AppendCount(%d), %s) = %d, %v", n, k, got, err)
			}
		}
	}
}

func TestCountMalformed(t *testing.T) {
	cases := map[string][]byte{
		"empty":         nil,
		"truncated":     {0xFF},
		"overlong":      overlong(5),
		"trailing byte": {5, 0},
		"two counts":    AppendCount(AppendCount(nil, 1), 2),
	}
	for name, p := range cases {
		_, err := ParseCount(p, KindCredit)
		wantMalformed(t, name, err)
	}
}

func TestGoAwayRoundTrip(t *testing.T) {
	for _, g := range []GoAway{
		{Code: CodeNormal, Reason: ""},
		{Code: CodeProtocol, Reason: "bad frame"},
		{Code: CodeRefused, Reason: "ünïcode ✓"},
		{Code: CodeLimit, Reason: strings.Repeat("x", MaxReason)},
		{Code: Code(1 << 40), Reason: "a code from a later version"},
	} {
		got, err := ParseGoAway(AppendGoAway(nil, g))
		if err != nil || got != g {
			t.Errorf("ParseGoAway(AppendGoAway(%+v)) = %+v, %v", g, got, err)
		}
	}
}

func TestGoAwayCutsLongReason(t *testing.T) {
	g, err := ParseGoAway(AppendGoAway(nil, GoAway{Code: CodeProtocol, Reason: strings.Repeat("y", 3*MaxReason)}))
	if err != nil || g.Reason != strings.Repeat("y", MaxReason) {
		t.Errorf("long reason came back as %d bytes, %v", len(g.Reason), err)
	}
}

// A reason cut at MaxReason bytes must not end in half a rune, or the peer
// sees "(reason not UTF-8)" instead of the reason.
func TestGoAwayCutsAtRuneBoundary(t *testing.T) {
	reason := strings.Repeat("a", MaxReason-1) + "é and more"
	g, err := ParseGoAway(AppendGoAway(nil, GoAway{Code: CodeProtocol, Reason: reason}))
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(g.Reason) || !strings.HasPrefix(reason, g.Reason) || len(g.Reason) < MaxReason-utf8.UTFMax {
		t.Errorf("reason cut to %q", g.Reason)
	}
}

func TestGoAwayInvalidUTF8(t *testing.T) {
	p := AppendCount(nil, uint64(CodeProtocol))
	p = append(p, 2, 0xC3, 0x28)
	g, err := ParseGoAway(p)
	if err != nil || !utf8.ValidString(g.Reason) || g.Code != CodeProtocol {
		t.Errorf("ParseGoAway with invalid UTF-8 = %+v, %v", g, err)
	}
}

func TestGoAwayMalformed(t *testing.T) {
	long := AppendCount(nil, 0)
	long = binary.AppendUvarint(long, MaxReason+1)
	long = append(long, bytes.Repeat([]byte("z"), MaxReason+1)...)
	cases := map[string][]byte{
		"empty":              nil,
		"no reason":          {0},
		"overlong code":      append(overlong(1), 0),
		"overlong length":    append([]byte{0}, overlong(0)...),
		"truncated reason":   {0, 5, 'a', 'b'},
		"oversized reason":   long,
		"trailing byte":      {0, 1, 'a', 'b'},
		"truncated code":     {0x80},
		"huge reason length": {0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F},
	}
	for name, p := range cases {
		_, err := ParseGoAway(p)
		wantMalformed(t, name, err)
	}
}

func sampleHello() Hello {
	return Hello{
		Version:    Version,
		Role:       RoleDialer,
		Codec:      "cbor",
		Capacity:   8,
		MaxValue:   1 << 20,
		Idle:       30000,
		Proof:      bytes.Repeat([]byte{0xAB}, 32),
		Window:     30000,
		MaxStreams: 4096,
		TypeName:   "main.Job",
		TypeShape:  "struct",
		Session:    bytes.Repeat([]byte{0x5E}, SessionIDSize),
		Counter:    3,
		MAC:        bytes.Repeat([]byte{0x3A}, MACSize),
		Received:   1 << 40,
		Nonce:      bytes.Repeat([]byte{0x07}, NonceSize),
	}
}

func helloEqual(a, b Hello) bool {
	return a.Version == b.Version && a.Role == b.Role && a.Codec == b.Codec &&
		a.Capacity == b.Capacity && a.MaxValue == b.MaxValue && a.Idle == b.Idle &&
		bytes.Equal(a.Proof, b.Proof) && a.Window == b.Window && a.MaxStreams == b.MaxStreams &&
		a.TypeName == b.TypeName && a.TypeShape == b.TypeShape && bytes.Equal(a.Session, b.Session) &&
		a.Counter == b.Counter && bytes.Equal(a.MAC, b.MAC) && a.Received == b.Received &&
		bytes.Equal(a.Nonce, b.Nonce)
}

// A hello of another version is told apart from a malformed one, and only
// its version and role are read: later versions may lay out the rest
// otherwise.
func TestHelloOtherVersion(t *testing.T) {
	for _, v := range []uint8{1, 3, 0xFF} {
		p := append([]byte(magic), v, byte(RoleListener), 0xFF, 0xFF)
		h, err := ParseHello(p)
		if !errors.Is(err, ErrVersion) || errors.Is(err, ErrMalformed) {
			t.Errorf("version %d: error %v, want ErrVersion alone", v, err)
		}
		if h.Version != v || h.Role != RoleListener {
			t.Errorf("version %d: parsed as %+v", v, h)
		}
	}
}

func TestHelloRoundTrip(t *testing.T) {
	full := sampleHello()
	full.Codec = strings.Repeat("~", MaxCodecName)
	full.Proof = bytes.Repeat([]byte{1}, MaxProof)
	full.Capacity = MaxCapacity
	full.MaxValue = ^uint64(0)
	full.Idle = MaxIdle
	for _, h := range []Hello{
		sampleHello(),
		{Version: Version, Role: RoleListener, Codec: "gob", Capacity: 0, MaxValue: 1},
		full,
	} {
		p := AppendHello(nil, h)
		if len(p) > MaxHelloSize {
			t.Errorf("hello of %d bytes exceeds MaxHelloSize", len(p))
		}
		got, err := ParseHello(p)
		if err != nil || !helloEqual(got, h) {
			t.Errorf("ParseHello(AppendHello(%+v)) = %+v, %v", h, got, err)
		}
	}
}

func TestHelloProofIsCopied(t *testing.T) {
	p := AppendHello(nil, sampleHello())
	h, err := ParseHello(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p {
		p[i] = 0
	}
	if !bytes.Equal(h.Proof, sampleHello().Proof) {
		t.Error("the parsed proof aliases the payload")
	}
}

func TestHelloMalformed(t *testing.T) {
	good := AppendHello(nil, sampleHello())
	mutate := func(f func(h *Hello)) []byte {
		h := sampleHello()
		f(&h)
		return AppendHello(nil, h)
	}
	// rebuild writes a hello field by field, so single fields can be broken.
	rebuild := func(codec, capacity, maxValue, idle, proof []byte) []byte {
		p := append([]byte(magic), Version, byte(RoleDialer))
		p = append(p, codec...)
		p = append(p, capacity...)
		p = append(p, maxValue...)
		p = append(p, idle...)
		return append(p, proof...)
	}
	cbor := []byte{4, 'c', 'b', 'o', 'r'}
	one := []byte{1}
	none := []byte{0}
	cases := map[string][]byte{
		"empty":               nil,
		"magic only":          []byte(magic),
		"bad magic":           append([]byte("netchaN"), good[len(magic):]...),
		"other protocol":      []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		"role 0":              mutate(func(h *Hello) { h.Role = 0 }),
		"role 3":              mutate(func(h *Hello) { h.Role = 3 }),
		"empty codec":         mutate(func(h *Hello) { h.Codec = "" }),
		"codec with space":    mutate(func(h *Hello) { h.Codec = "c bor" }),
		"codec not ASCII":     mutate(func(h *Hello) { h.Codec = "cbör" }),
		"codec too long":      mutate(func(h *Hello) { h.Codec = strings.Repeat("c", MaxCodecName+1) }),
		"capacity too large":  mutate(func(h *Hello) { h.Capacity = MaxCapacity + 1 }),
		"proof too long":      mutate(func(h *Hello) { h.Proof = make([]byte, MaxProof+1) }),
		"trailing byte":       append(bytes.Clone(good), 0),
		"oversized":           append(bytes.Clone(good), make([]byte, MaxHelloSize)...),
		"overlong codec len":  rebuild(append(overlong(4), "cbor"...), one, one, one, none),
		"overlong capacity":   rebuild(cbor, overlong(1), one, one, none),
		"overlong max value":  rebuild(cbor, one, overlong(1), one, none),
		"overlong proof len":  rebuild(cbor, one, one, one, overlong(0)),
		"truncated codec":     rebuild([]byte{4, 'c', 'b'}, nil, nil, nil, nil),
		"missing capacity":    rebuild(cbor, nil, nil, nil, nil),
		"missing max value":   rebuild(cbor, one, nil, nil, nil),
		"missing idle":        rebuild(cbor, one, one, nil, nil),
		"overlong idle":       rebuild(cbor, one, one, overlong(7), none),
		"missing proof":       rebuild(cbor, one, one, one, nil),
		"truncated proof":     rebuild(cbor, one, one, one, []byte{3, 1, 2}),
		"capacity beyond u64": rebuild(cbor, append(bytes.Repeat([]byte{0xFF}, 9), 0x02), one, one, none),
	}
	for n := range len(good) {
		cases["cut at "+string(rune('A'+n%26))+strings.Repeat("'", n/26)] = good[:n]
	}
	for name, p := range cases {
		_, err := ParseHello(p)
		wantMalformed(t, name, err)
	}
}

func TestVarintLengths(t *testing.T) {
	for _, v := range []uint64{0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 1<<63 - 1, 1 << 63, ^uint64(0)} {
		b := binary.AppendUvarint(nil, v)
		if uvarintLen(v) != len(b) {
			t.Errorf("uvarintLen(%d) = %d, encoding has %d bytes", v, uvarintLen(v), len(b))
		}
		got, rest, err := uvarint(append(b, 0xEE), "test")
		if err != nil || got != v || !bytes.Equal(rest, []byte{0xEE}) {
			t.Errorf("uvarint(%d) = %d, % x, %v", v, got, rest, err)
		}
		_, _, err = uvarint(overlong(v), "test")
		if v < 1<<63 { // the overlong form of larger values exceeds 10 bytes
			wantMalformed(t, "overlong varint", err)
		} else if err == nil {
			t.Errorf("overlong %d accepted", v)
		}
	}
}

func TestHelloIdleAboveMaxRefused(t *testing.T) {
	h := Hello{Version: Version, Role: RoleDialer, Codec: "cbor", MaxValue: 1, Idle: MaxIdle + 1}
	if _, err := ParseHello(AppendHello(nil, h)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("idle above MaxIdle: %v; want ErrMalformed", err)
	}
}

func TestOpenRoundTripAndLimits(t *testing.T) {
	for _, o := range []Open{{}, {Capacity: 1, Meta: []byte("x")}, {Capacity: MaxCapacity, Meta: bytes.Repeat([]byte{1}, MaxMeta)}} {
		got, err := ParseOpen(AppendOpen(nil, o))
		if err != nil || got.Capacity != o.Capacity || !bytes.Equal(got.Meta, o.Meta) {
			t.Errorf("ParseOpen(AppendOpen(%+v)) = %+v, %v", o, got, err)
		}
	}
	for name, p := range map[string][]byte{
		"empty":             nil,
		"capacity too high": AppendOpen(nil, Open{Capacity: MaxCapacity + 1}),
		"meta too long":     AppendOpen(nil, Open{Meta: make([]byte, MaxMeta+1)}),
		"trailing byte":     append(AppendOpen(nil, Open{Capacity: 2}), 0),
		"truncated meta":    AppendOpen(nil, Open{Capacity: 2, Meta: []byte("abc")})[:3],
	} {
		_, err := ParseOpen(p)
		wantMalformed(t, name, err)
	}
}

func TestNumberedKinds(t *testing.T) {
	want := map[Kind]bool{KindData: true, KindCredit: true, KindClose: true, KindOpen: true, KindStreams: true, KindValues: true}
	for k := KindHello; k <= lastKind; k++ {
		if k.Numbered() != want[k] {
			t.Errorf("%s: Numbered() = %v", k, k.Numbered())
		}
	}
}
