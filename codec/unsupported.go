package codec

import (
	"fmt"
	"reflect"
	"strings"
)

// UnsupportedError is the error a codec returns for a value it cannot
// encode. It wraps [ErrUnsupported] and the encoder's own error, and names
// the part of the value at fault when it can be found, so that a program
// sending a struct with a channel field learns which field.
type UnsupportedError struct {
	// Codec is the name of the codec that refused the value.
	Codec string
	// Type is the type of the value the codec was given; nil for a nil
	// interface.
	Type reflect.Type
	// Path leads from that value to the part at fault, in Go syntax:
	// ".Reply", ".Items[2].At" or `["key"]`. It is empty when the value as
	// a whole is at fault or no part could be singled out.
	Path string
	// Part is the type of the part at fault; nil when Path is empty.
	Part reflect.Type
	// Err is the encoder's own error; it may be nil when the codec refused
	// the value before encoding it.
	Err error
}

// Error names the codec, the type and, if known, the part at fault.
func (e *UnsupportedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "netchan: codec: %s cannot encode %v", e.Codec, e.Type)
	if e.Path != "" {
		fmt.Fprintf(&b, " at %s", e.Path)
		if e.Part != nil {
			fmt.Fprintf(&b, " (%v)", e.Part)
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		// The sentinels of this package say "netchan: codec:" once already.
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "netchan: codec: "))
	}
	return b.String()
}

// Unwrap returns ErrUnsupported and, if set, Err.
func (e *UnsupportedError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrUnsupported}
	}
	return []error{ErrUnsupported, e.Err}
}

// Unsupported returns the error for v, which the codec named name could not
// encode, err being the encoder's own error: an *UnsupportedError that
// wraps both. If err already is one, Unsupported returns it as it is.
//
// To name the part at fault, Unsupported walks v as reflection-based
// encoders do (through pointers, interfaces, exported struct fields,
// elements, map keys and values) and stops at the first part for which
// bad returns true. A nil bad looks for the kinds no format netchan ships
// can carry: channels, functions, unsafe pointers and complex numbers. A
// codec plugged into netchan calls Unsupported where its encoder fails.
func Unsupported(name string, v any, err error, bad func(reflect.Value) bool) error {
	if u, ok := err.(*UnsupportedError); ok {
		return u
	}
	u := &UnsupportedError{Codec: name, Type: reflect.TypeOf(v), Err: err}
	if bad == nil {
		bad = unencodableKind
	}
	if v != nil {
		var part reflect.Value
		if u.Path, part = locate(reflect.ValueOf(v), bad, nil); part.IsValid() {
			u.Part = part.Type()
		}
	}
	return u
}

// unencodableKind reports the kinds of value that CBOR, JSON and most
// formats have no encoding for.
func unencodableKind(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return true
	}
	return false
}

// locate returns the path to the first part of v, the value itself
// excepted, for which bad returns true, and that part; "" and the invalid
// Value if there is none. The value itself is left out because a path of
// "" says nothing the codec's own error does not. If mayHold is not nil,
// the walk skips the parts whose type it says cannot hold a bad part.
//
// Encoders refuse some types even where the value holds none of them, a
// channel type in an empty slice for one; when the value shows no bad
// part, locate looks through v's type for a part whose zero value is bad,
// and names an element of a slice, array or map "[]".
func locate(v reflect.Value, bad func(reflect.Value) bool, mayHold func(reflect.Type) bool) (string, reflect.Value) {
	w := walker{bad: bad, mayHold: mayHold, seen: map[uintptr]bool{}}
	if !w.walk(v, 0) {
		w.path = w.path[:0]
		if !v.IsValid() || !w.walkType(v.Type(), 0, map[reflect.Type]bool{}) {
			return "", reflect.Value{}
		}
	}
	if len(w.path) == 0 {
		return "", reflect.Value{}
	}
	var b strings.Builder
	for i := len(w.path) - 1; i >= 0; i-- { // the walk records the innermost step first
		b.WriteString(w.path[i])
	}
	return b.String(), w.part
}

// maxWalkDepth bounds the walk, so that a value nesting deeper than any
// encoder accepts still ends it.
const maxWalkDepth = 1000

type walker struct {
	bad     func(reflect.Value) bool
	mayHold func(reflect.Type) bool
	seen    map[uintptr]bool // pointers already walked: a cyclic value ends
	path    []string
	part    reflect.Value
}

// walk reports whether v or a part of it is bad, recording the path.
func (w *walker) walk(v reflect.Value, depth int) bool {
	if depth > maxWalkDepth || !v.IsValid() || w.mayHold != nil && !w.mayHold(v.Type()) {
		return false
	}
	if depth > 0 && w.bad(v) {
		w.part = v
		return true
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return false
		}
		w.seen[v.Pointer()] = true
		return w.walk(v.Elem(), depth+1)
	case reflect.Interface:
		return !v.IsNil() && w.walk(v.Elem(), depth+1)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !(f.Anonymous && f.Type.Kind() == reflect.Struct) {
				continue // unexported: no reflection-based encoder sends it
			}
			if w.walk(v.Field(i), depth+1) {
				w.step("." + f.Name)
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if w.walk(v.Index(i), depth+1) {
				w.step(fmt.Sprintf("[%d]", i))
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if w.walk(it.Key(), depth+1) {
				w.step(fmt.Sprintf("[key %v]", quoted(it.Key())))
				return true
			}
			if w.walk(it.Value(), depth+1) {
				w.step(fmt.Sprintf("[%v]", quoted(it.Key())))
				return true
			}
		}
	}
	return false
}

// walkType reports whether the zero value of t or of a part of its type is
// bad, recording the path.
func (w *walker) walkType(t reflect.Type, depth int, inProgress map[reflect.Type]bool) bool {
	if depth > maxWalkDepth || inProgress[t] || w.mayHold != nil && !w.mayHold(t) {
		return false
	}
	if depth > 0 && w.bad(reflect.Zero(t)) {
		w.part = reflect.Zero(t)
		return true
	}
	inProgress[t] = true
	defer delete(inProgress, t)
	switch t.Kind() {
	case reflect.Pointer:
		return w.walkType(t.Elem(), depth+1, inProgress)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !(f.Anonymous && f.Type.Kind() == reflect.Struct) {
				continue
			}
			if w.walkType(f.Type, depth+1, inProgress) {
				w.step("." + f.Name)
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if w.walkType(t.Elem(), depth+1, inProgress) {
			w.step("[]")
			return true
		}
	case reflect.Map:
		if w.walkType(t.Key(), depth+1, inProgress) {
			w.step("[key]")
			return true
		}
		if w.walkType(t.Elem(), depth+1, inProgress) {
			w.step("[]")
			return true
		}
	}
	return false
}

func (w *walker) step(s string) { w.path = append(w.path, s) }

// quoted formats a map key as Go would write it in an index expression.
func quoted(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return fmt.Sprintf("%q", k.String())
	}
	if k.CanInterface() {
		return fmt.Sprint(k.Interface())
	}
	return k.Type().String()
}
