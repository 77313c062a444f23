package codec_test

import (
	"testing"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/codec/codectest"
)

// Each codec's decoder is fuzzed through the conformance kit: seeded with
// the encodings of its sample values, each input must decode, into a
// codectest.Shape and into an `any`, without a panic, and what decodes
// must encode again to the same value, up to the codec's claims.

// addSeeds adds the kit's seeds for c and the encodings of extra values.
func addSeeds(f *testing.F, c codec.Codec, extra ...any) {
	for _, seed := range codectest.Seeds(c) {
		f.Add(seed)
	}
	for _, v := range extra {
		data, err := codec.ForConnection(c).Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func fuzzUnmarshal(c codec.Codec) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		codectest.FuzzUnmarshal(t, c, data, codectest.Claims(c)...)
	}
}

func FuzzCBORUnmarshal(f *testing.F) {
	c := codec.CBOR()
	addSeeds(f, c, sampleValue(), sampleRecord(1), map[string]any{"k": []any{1, -2.5, "s", nil, true}})
	f.Add(nested(40))
	f.Add([]byte{0x9a, 0x80, 0, 0, 0})
	f.Fuzz(fuzzUnmarshal(c))
}

func FuzzGobSessionUnmarshal(f *testing.F) {
	c := codec.Gob()
	addSeeds(f, c, sampleValue(), sampleRecord(1))
	f.Fuzz(fuzzUnmarshal(c))
}

func FuzzJSONUnmarshal(f *testing.F) {
	c := codec.JSON()
	addSeeds(f, c, sampleValue(), sampleRecord(1))
	f.Add([]byte(`{"k":[1,-2.5e3,"s\u00e9\ud800",null,true,{}]}`))
	f.Add([]byte(`[[[[[[[[[[]]]]]]]]]]`))
	f.Fuzz(fuzzUnmarshal(c))
}
