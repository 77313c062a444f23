package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/netchan/netchan/codec"
)

// format is how the values of one codec travel between JSON lines and the
// connection: T is the type the connection carries.
type format[T any] interface {
	codec() codec.Codec
	// parse turns one line of stdin into a value to send.
	parse(line []byte) (T, error)
	// print appends v as one line of JSON, newline included, to dst.
	print(dst *bytes.Buffer, v T) error
}

// cborFormat carries values of `any` over CBOR: a line is decoded into Go
// values (parseValue) and what arrives is converted back (printable).
type cborFormat struct{}

func (cborFormat) codec() codec.Codec { return codec.CBOR() }

func (cborFormat) parse(line []byte) (any, error) { return parseValue(line) }

func (cborFormat) print(dst *bytes.Buffer, v any) error {
	p, err := printable(v)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(dst)
	enc.SetEscapeHTML(false) // a terminal is not a web page: keep <, > and & readable
	return enc.Encode(p)
}

// jsonFormat carries the JSON text of each line as it is, compacted: with
// the JSON codec the peer's encoding/json decodes it, so there is nothing
// to convert, and carrying the text keeps every number exact, where going
// through an `any` here would round integers beyond 2^53.
type jsonFormat struct{}

func (jsonFormat) codec() codec.Codec { return codec.JSON() }

func (jsonFormat) parse(line []byte) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (jsonFormat) print(dst *bytes.Buffer, v json.RawMessage) error {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return fmt.Errorf("the peer sent invalid JSON: %w", err)
	}
	unescapeHTML(dst, b.Bytes())
	dst.WriteByte('\n')
	return nil
}

// unescapeHTML appends the valid JSON text src to dst with the escapes
// \u003c, \u003e and \u0026 written back as <, > and &: encoding/json
// writes them for the sake of HTML, on this end and in the peer, and a
// terminal is not a web page. In valid JSON every backslash starts an
// escape inside a string, so a scan from escape to escape needs no
// parsing.
func unescapeHTML(dst *bytes.Buffer, src []byte) {
	for {
		i := bytes.IndexByte(src, '\\')
		if i < 0 || i+1 >= len(src) {
			dst.Write(src)
			return
		}
		dst.Write(src[:i])
		if c, ok := htmlEscapes[string(bytes.ToLower(src[i:min(i+6, len(src))]))]; ok {
			dst.WriteByte(c)
			src = src[i+6:]
			continue
		}
		dst.Write(src[i : i+2]) // the backslash and what it escapes, \\ included
		src = src[i+2:]
	}
}

// htmlEscapes are the escapes unescapeHTML undoes.
var htmlEscapes = map[string]byte{`\u003c`: '<', `\u003e`: '>', `\u0026`: '&'}
