// Package shape describes a Go type by what a codec makes of it, so that two
// ends can tell, in their handshake, whether the values one sends can be
// the values the other receives.
//
// A shape keeps what no codec reconciles and drops what codecs do: a
// string is never an integer, and a slice is never a map, but an int8 and
// a uint64 are both integers (a value out of range fails on its own), a
// pointer is what it points to, and a struct is a struct whatever its
// fields, since codecs match fields by name and leave out the ones an end
// does not know: adding a field must keep working. An interface, or a type
// that encodes itself, may be anything.
//
// The alphabet: b bool, i integer, f float, c complex, s string, y bytes,
// S struct, [X a slice or array of X, mKV a map, C a channel (replaced by
// a stream before any codec sees it), ? anything.
package shape

import (
	"encoding"
	"encoding/json"
	"reflect"
)

// MaxLen bounds a shape; deeper parts of a larger one become ?.
const MaxLen = 256

// Any is the shape of a type that may be anything.
const Any = "?"

var (
	binaryMarshaler = reflect.TypeFor[encoding.BinaryMarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
)

// Of returns the shape of t.
func Of(t reflect.Type) string {
	b := appendShape(nil, t, 0)
	if len(b) > MaxLen {
		return Any
	}
	return string(b)
}

// maxDepth bounds the recursion, which also ends recursive types.
const maxDepth = 16

func appendShape(b []byte, t reflect.Type, depth int) []byte {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if depth >= maxDepth || len(b) >= MaxLen || custom(t) {
		return append(b, '?')
	}
	switch t.Kind() {
	case reflect.Bool:
		return append(b, 'b')
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return append(b, 'i')
	case reflect.Float32, reflect.Float64:
		return append(b, 'f')
	case reflect.Complex64, reflect.Complex128:
		return append(b, 'c')
	case reflect.String:
		return append(b, 's')
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return append(b, 'y')
		}
		return appendShape(append(b, '['), t.Elem(), depth+1)
	case reflect.Map:
		b = appendShape(append(b, 'm'), t.Key(), depth+1)
		return appendShape(b, t.Elem(), depth+1)
	case reflect.Struct:
		return append(b, 'S')
	case reflect.Chan:
		return append(b, 'C')
	}
	return append(b, '?')
}

// custom reports whether values of t encode themselves, in a form the
// shape cannot know.
func custom(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	for _, m := range []reflect.Type{binaryMarshaler, textMarshaler, jsonMarshaler} {
		if t.Implements(m) || pt.Implements(m) {
			return true
		}
	}
	return false
}

// Agree reports whether values of shapes a and b can be the same: they are
// equal where neither is ?. An empty shape is ?.
func Agree(a, b string) bool {
	if a == "" || b == "" {
		return true
	}
	ra, rb := a, b
	ok := agree(&ra, &rb)
	return ok && ra == "" && rb == ""
}

// agree consumes one shape from each of a and b and reports whether they
// agree.
func agree(a, b *string) bool {
	if *a == "" || *b == "" {
		return false
	}
	ca, cb := (*a)[0], (*b)[0]
	if ca == '?' || cb == '?' {
		skip(a)
		skip(b)
		return true
	}
	if ca != cb {
		return false
	}
	*a, *b = (*a)[1:], (*b)[1:]
	switch ca {
	case '[':
		return agree(a, b)
	case 'm':
		// A map's key, then its value: two calls, each consuming a shape.
		if !agree(a, b) {
			return false
		}
		return agree(a, b)
	}
	return true
}

// skip consumes one shape from s.
func skip(s *string) {
	if *s == "" {
		return
	}
	c := (*s)[0]
	*s = (*s)[1:]
	switch c {
	case '[':
		skip(s)
	case 'm':
		skip(s)
		skip(s)
	}
}
