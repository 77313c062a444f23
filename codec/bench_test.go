package codec_test

import (
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
)

// Sample is a typical small message: about 100 bytes in CBOR.
type Sample struct {
	ID    uint64
	Name  string
	Tags  []string
	Score float64
	At    time.Time
	Data  []byte
}

func sampleValue() Sample {
	return Sample{
		ID:    123456789,
		Name:  "sensor-42",
		Tags:  []string{"alpha", "beta"},
		Score: 98.6,
		At:    time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC),
		Data:  []byte("0123456789abcdef"),
	}
}

func benchMarshal(b *testing.B, c codec.Codec) {
	v := sampleValue()
	c = codec.ForConnection(c)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(&v); err != nil {
			b.Fatal(err)
		}
	}
}

// benchAppend encodes into one reused buffer, as netchan's send path does.
func benchAppend(b *testing.B, c codec.Codec) {
	v := sampleValue()
	c = codec.ForConnection(c)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = codec.Append(c, buf[:0], &v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "frame-bytes")
}

func benchUnmarshal(b *testing.B, c codec.Codec) {
	send, recv := codec.ForConnection(c), codec.ForConnection(c)
	v := sampleValue()
	// The first frame of a session carries type descriptions; benchmark the
	// steady state, which repeats the second.
	first, err := send.Marshal(&v)
	if err != nil {
		b.Fatal(err)
	}
	data, err := send.Marshal(&v)
	if err != nil {
		b.Fatal(err)
	}
	var out Sample
	if err := recv.Unmarshal(first, &out); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var out Sample
		if err := recv.Unmarshal(data, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCBORMarshal(b *testing.B)   { benchMarshal(b, codec.CBOR()) }
func BenchmarkCBORAppend(b *testing.B)    { benchAppend(b, codec.CBOR()) }
func BenchmarkCBORUnmarshal(b *testing.B) { benchUnmarshal(b, codec.CBOR()) }

func BenchmarkGobSessionMarshal(b *testing.B)   { benchMarshal(b, codec.Gob()) }
func BenchmarkGobSessionAppend(b *testing.B)    { benchAppend(b, codec.Gob()) }
func BenchmarkGobSessionUnmarshal(b *testing.B) { benchUnmarshal(b, codec.Gob()) }

// BenchmarkGobStatelessMarshal shows what sessions save: every frame
// describes the type again.
func BenchmarkGobStatelessMarshal(b *testing.B) {
	v := sampleValue()
	c := codec.Gob()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(&v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONMarshal(b *testing.B)   { benchMarshal(b, codec.JSON()) }
func BenchmarkJSONUnmarshal(b *testing.B) { benchUnmarshal(b, codec.JSON()) }
