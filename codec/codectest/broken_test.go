package codectest_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/codec/codectest"
)

// The codecs below are each wrong in one way the kit must catch. They wrap
// CBOR, which passes.

// vague refuses what CBOR refuses with an error of its own.
type vague struct{ codec.Codec }

func (v vague) Marshal(x any) ([]byte, error) {
	b, err := v.Codec.Marshal(x)
	if err != nil {
		return nil, errors.New("cannot encode that")
	}
	return b, nil
}

// pathless wraps codec.ErrUnsupported but does not say where.
type pathless struct{ codec.Codec }

func (p pathless) Marshal(x any) ([]byte, error) {
	b, err := p.Codec.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("%w: something in there", codec.ErrUnsupported)
	}
	return b, nil
}

// fragile panics on input that ends early.
type fragile struct{ codec.Codec }

func (f fragile) Unmarshal(data []byte, v any) error {
	err := f.Codec.Unmarshal(data, v)
	if err != nil && len(data) > 0 {
		panic("fragile: " + err.Error())
	}
	return err
}

// careless encodes by pointer the zero value of the type, not the value.
type careless struct{ codec.Codec }

func (c careless) AppendMarshalPointer(dst []byte, p any) ([]byte, error) {
	zero := reflect.New(reflect.TypeOf(p).Elem()).Interface()
	b, err := c.Codec.Marshal(zero)
	return append(dst, b...), err
}

// clinging decodes a Shape's Bytes as a slice of its input.
type clinging struct{ codec.Codec }

func (c clinging) Unmarshal(data []byte, v any) error {
	if err := c.Codec.Unmarshal(data, v); err != nil {
		return err
	}
	if s, ok := v.(*codectest.Shape); ok && len(s.Bytes) > 0 {
		if i := bytes.Index(data, s.Bytes); i >= 0 {
			s.Bytes = data[i : i+len(s.Bytes)]
		}
	}
	return nil
}

// greedy trusts a length header before it looks at the rest.
type greedy struct{ codec.Codec }

func (g greedy) Unmarshal(data []byte, v any) error {
	if len(data) == 5 && data[0] == 0xc6 {
		buf := make([]byte, 80<<20)
		buf[len(buf)-1] = data[4]
	}
	return g.Codec.Unmarshal(data, v)
}

// brokenCase is a codec the kit must fail, the part that must fail, and
// what its failure must say.
type brokenCase struct {
	c       codec.Codec
	opts    []codectest.Option
	network bool   // RunNetwork, not Run
	part    string // a -test.run pattern below TestBroken
	want    string
}

var brokenCases = map[string]brokenCase{
	"unclaimed equivalence": {c: codec.Gob(), part: "RoundTrip/Bytes", want: "changed on the way"},
	"unclaimed refusal":     {c: codec.JSON(), part: "RoundTrip/Float64", want: "no option claims"},
	"refusal claimed, not made": {
		c: codec.CBOR(), opts: append(codectest.Claims(codec.CBOR()), codectest.RefusesNonFinite()),
		part: "RoundTrip/Float64", want: "encoded, want an error wrapping codec.ErrUnsupported",
	},
	"any as claimed":  {c: codec.CBOR(), part: "Interfaces/Any", want: "arrived as a"},
	"vague error":     {c: vague{codec.CBOR()}, part: "Refusals", want: "does not wrap codec.ErrUnsupported"},
	"no field named":  {c: pathless{codec.CBOR()}, part: "Refusals", want: "does not name Reply"},
	"panics":          {c: fragile{codec.CBOR()}, part: "Malformed/Truncated", want: "panicked: fragile"},
	"fast path":       {c: careless{codec.CBOR()}, part: "FastPaths", want: "the fast path and Marshal disagree"},
	"keeps its input": {c: clinging{codec.CBOR()}, part: "DataNotKept", want: "changed when its frame was overwritten"},
	"trusts a length": {c: greedy{codec.CBOR()}, part: "Malformed/HostileLengths", want: "a length the input does not back was trusted"},
	"over the network": {
		c: codec.Gob(), network: true, part: "Typed/Integrity", want: "changed on the way",
	},
}
