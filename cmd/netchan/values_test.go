package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/netchan/netchan/codec"
)

// TestParseValue checks what each JSON line is sent as: integers as
// integers of the smallest kind that holds them, other numbers as floats.
func TestParseValue(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	for _, c := range []struct {
		line string
		want any
	}{
		{`1`, int64(1)},
		{`-1`, int64(-1)},
		{`-0`, int64(0)},
		{`9223372036854775808`, uint64(1 << 63)},
		{`123456789012345678901234567890`, huge},
		{`1.0`, 1.0},
		{`1e3`, 1000.0},
		{`1E-3`, 0.001},
		{`"x"`, "x"},
		{`null`, nil},
		{`{"a":[1,{"b":2.5}]}`, map[string]any{"a": []any{int64(1), map[string]any{"b": 2.5}}}},
		{" [true,false]\r\n", []any{true, false}},
	} {
		got, err := parseValue([]byte(c.line))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, %v; want %#v", c.line, got, err, c.want)
		}
	}
}

func TestParseValueErrors(t *testing.T) {
	for _, line := range []string{`1 2`, `{"a":1}}`, `{`, `nul`, `1e400`, `'x'`, `[1,]`} {
		if v, err := parseValue([]byte(line)); err == nil {
			t.Errorf("%s: got %#v, want an error", line, v)
		}
	}
}

// TestPrintable checks the JSON that values of each kind CBOR decodes
// into an `any` print as.
func TestPrintable(t *testing.T) {
	at := time.Date(2024, 2, 29, 12, 30, 0, 5, time.UTC)
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{uint64(math.MaxUint64), `18446744073709551615`},
		{int64(math.MinInt64), `-9223372036854775808`},
		{*huge, `-123456789012345678901234567890`},
		{huge, `-123456789012345678901234567890`},
		{1.0, `1.0`},
		{0.0, `0.0`},
		{math.Copysign(0, -1), `-0.0`},
		{2.5, `2.5`},
		{1e21, `1e+21`},
		{1e-7, `1e-07`},
		{123456789.0, `123456789.0`},
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"+Inf"`},
		{math.Inf(-1), `"-Inf"`},
		{"<&>", `"<&>"`},
		{"a\xffb", `"a\ufffdb"`},
		{[]byte{0, 1, 2}, `"AAEC"`},
		{at, `"2024-02-29T12:30:00.000000005Z"`},
		{cbor.Tag{Number: 4000, Content: "x"}, `{"content":"x","tag":4000}`},
		{cbor.SimpleValue(16), `{"simple":16}`},
		{[]any{}, `[]`},
		{map[any]any{}, `{}`},
		{map[any]any{"b": uint64(1), "a": []any{nil}}, `{"a":[null],"b":1}`},
		{map[any]any{uint64(2): "u", int64(-1): "i", true: "t", nil: "n", 1.5: "f"}, `{"-1":"i","1.5":"f","2":"u","null":"n","true":"t"}`},
		{map[any]any{cbor.ByteString("\x00\x01"): 1.0}, `{"AAE=":1.0}`},
		{map[any]any{at: 1.0}, `{"2024-02-29T12:30:00.000000005Z":1.0}`},
	} {
		var b bytes.Buffer
		if err := (cborFormat{}).print(&b, c.v); err != nil || b.String() != c.want+"\n" {
			t.Errorf("%#v: printed %q, %v; want %s", c.v, b.String(), err, c.want)
		}
	}
}

func TestPrintableErrors(t *testing.T) {
	for _, v := range []any{
		map[any]any{uint64(1): "a", "1": "b"}, // two keys print as "1"
		[]any{struct{}{}},                     // not a type CBOR decodes into
		map[any]any{"k": map[any]any{int64(1): 1, 1.0: 2}},
	} {
		var b bytes.Buffer
		if err := (cborFormat{}).print(&b, v); err == nil {
			t.Errorf("%#v printed as %q, want an error", v, b.String())
		}
	}
}

// TestCBORRoundTrip sends each line the way netchan does, through the
// CBOR codec into an `any`, and checks it prints as it was written, up
// to spacing and the order of keys: what one netchan command prints,
// another reads back as the same value.
func TestCBORRoundTrip(t *testing.T) {
	c := codec.CBOR()
	for _, line := range []string{
		`{"a":1,"b":[-1,2.5,"x",null,true,false],"c":{"d":{}}}`,
		`[0,-0.0,1.0,1e+21,1e-07,18446744073709551615,-9223372036854775809,340282366920938463463374607431768211456]`,
		`"é and \u0000 and \"quotes\""`,
		`[[],[[]],{"":""}]`,
	} {
		v, err := parseValue([]byte(line))
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		data, err := c.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		var got any
		if err := c.Unmarshal(data, &got); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		var b bytes.Buffer
		if err := (cborFormat{}).print(&b, got); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if want := compact(t, line); strings.TrimSuffix(b.String(), "\n") != want {
			t.Errorf("%s\nprinted %s", want, b.String())
		}
	}
}

// TestJSONFormat checks that with the JSON codec a line travels as its
// compacted text, numbers exact, and prints the same.
func TestJSONFormat(t *testing.T) {
	line := " {\"b\" : [12345678901234567890123, 1.50, \"<&>\"], \"a\":null}\n"
	v, err := (jsonFormat{}).parse([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	data, err := codec.JSON().Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got json.RawMessage
	if err := codec.JSON().Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (jsonFormat{}).print(&b, got); err != nil {
		t.Fatal(err)
	}
	if want := `{"b":[12345678901234567890123,1.50,"<&>"],"a":null}` + "\n"; b.String() != want {
		t.Fatalf("printed %q, want %q", b.String(), want)
	}
	b.Reset()
	if err := (jsonFormat{}).print(&b, json.RawMessage(`["a\\u003cb \u003C", "\\\u0026"]`)); err != nil || b.String() != `["a\\u003cb <","\\&"]`+"\n" {
		t.Fatalf("printed %q, %v: an escaped backslash is not an escape", b.String(), err)
	}
	for _, bad := range []string{`1 2`, `{`, `x`} {
		if _, err := (jsonFormat{}).parse([]byte(bad)); err == nil {
			t.Errorf("%s: parsed, want an error", bad)
		}
	}
}

// compact returns the JSON text s with keys sorted and no spaces, as the
// command prints values.
func compact(t *testing.T, s string) string {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
