package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// printable returns v, as CBOR decodes a value into an `any`, in a form
// encoding/json prints without loss where JSON allows: maps get string
// keys, floats keep a fraction or an exponent so that they read back as
// floats, big integers print as numbers. What JSON cannot hold is given a
// form documented in the usage text.
func printable(v any) (any, error) {
	switch v := v.(type) {
	case nil, bool, string, int64, uint64, []byte:
		return v, nil
	case float64:
		return jsonFloat(v), nil
	case big.Int:
		return json.Number(v.String()), nil
	case *big.Int:
		return json.Number(v.String()), nil
	case time.Time:
		return v, nil // RFC 3339, to the nanosecond
	case cbor.ByteString:
		return []byte(v), nil
	case cbor.SimpleValue:
		return map[string]any{"simple": uint8(v)}, nil
	case cbor.Tag:
		content, err := printable(v.Content)
		if err != nil {
			return nil, err
		}
		return map[string]any{"tag": v.Number, "content": content}, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			p, err := printable(e)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = p
		}
		return out, nil
	case map[any]any:
		return printableMap(v)
	}
	return nil, fmt.Errorf("a value of type %T has no JSON form here", v)
}

// printableMap returns m with each key turned into the text JSON gives it.
// Two keys that would print the same, such as 1 and "1", are an error
// rather than one value silently hiding the other.
func printableMap(m map[any]any) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		ks, err := keyText(k)
		if err != nil {
			return nil, err
		}
		if _, dup := out[ks]; dup {
			return nil, fmt.Errorf("two keys of one map print as %q", ks)
		}
		if out[ks], err = printable(e); err != nil {
			return nil, fmt.Errorf("key %q: %w", ks, err)
		}
	}
	return out, nil
}

// keyText returns the object key a map key prints as: a string as it is,
// any other key as its JSON text, unquoted if that is a string (a byte
// string's base64, a time).
func keyText(k any) (string, error) {
	if s, ok := k.(string); ok {
		return s, nil
	}
	p, err := printable(k)
	if err != nil {
		return "", fmt.Errorf("map key: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("map key: %w", err)
	}
	var s string
	if b[0] == '"' && json.Unmarshal(b, &s) == nil {
		return s, nil
	}
	return string(b), nil
}

// jsonFloat is a float64 that prints with a fraction or an exponent, 1.0
// and not 1 as encoding/json would, so that what a float prints as is read
// back as a float by parseValue. NaN and the infinities, which JSON lacks,
// print as the strings "NaN", "+Inf" and "-Inf".
type jsonFloat float64

// MarshalJSON implements json.Marshaler.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Inf"`), nil
	}
	// encoding/json's choice of notation, which keeps lines short.
	format := byte('f')
	if a := math.Abs(x); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, x, format, -1, 64)
	if format == 'f' && bytes.IndexByte(b, '.') < 0 {
		b = append(b, ".0"...)
	}
	return b, nil
}
