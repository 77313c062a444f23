package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// parseValue turns one JSON line into the value sent over CBOR. Numbers
// are read as text first, so that an integer travels as a CBOR integer,
// which a Go peer can decode into an int field, rather than as a float64,
// which it cannot; and so that an integer beyond 2^53 stays exact.
func parseValue(line []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value on the line")
	}
	return withNumbers(v)
}

// withNumbers replaces every json.Number in v, in place, by the Go number
// it stands for (see number).
func withNumbers(v any) (any, error) {
	var err error
	switch v := v.(type) {
	case json.Number:
		return number(v)
	case map[string]any:
		for k, e := range v {
			if v[k], err = withNumbers(e); err != nil {
				return nil, err
			}
		}
	case []any:
		for i, e := range v {
			if v[i], err = withNumbers(e); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// number returns the value a JSON number is sent as: written without a
// fraction or an exponent, an integer (int64, else uint64, else a big.Int,
// which CBOR sends as a bignum); otherwise a float64.
func number(n json.Number) (any, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u, nil
		}
		if b, ok := new(big.Int).SetString(s, 10); ok {
			return b, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Only a magnitude beyond float64's range gets here: the decoder
		// checked the syntax.
		return nil, fmt.Errorf("number %s does not fit in a float64", s)
	}
	return f, nil
}
