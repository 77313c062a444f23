package codec

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The JSON codec walks a value before encoding it, looking for what
// encoding/json would silently change: strings that are not valid UTF-8 and
// times whose zone offset has seconds. The walk follows what encoding/json
// encodes (exported fields, embedded structs, `json:"-"`, map keys, Marshaler
// before TextMarshaler) and skips, by type, every part that cannot hold a
// string or a time.

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// checkJSONValue returns an *UnsupportedError wrapping ErrInvalidUTF8,
// ErrTimeOffset or ErrLimitExceeded, with the path to the offending part of
// v.
func checkJSONValue(v any) error {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if !jsonNeedsWalk(rv.Type()) {
		return nil
	}
	var path []string // innermost segment first
	if err := walkJSON(rv, 0, 0, &path); err != nil {
		slices.Reverse(path)
		return &UnsupportedError{Codec: "json", Type: rv.Type(), Path: strings.Join(path, ""), Err: err}
	}
	return nil
}

// walkJSON checks v. depth counts arrays and objects, as JSON nesting does;
// hops counts pointers and interfaces since the last of those, so that a
// cycle without one (an `any` holding a pointer to itself) still ends.
func walkJSON(v reflect.Value, depth, hops int, path *[]string) error {
	if hops > MaxJSONDepth {
		return fmt.Errorf("%w: more than %d pointers in a row", ErrLimitExceeded, MaxJSONDepth)
	}
	t := v.Type()
	// Through pointers and interfaces first: encoding/json calls a method
	// on the pointer only when the value behind it has that method too.
	if k := t.Kind(); k == reflect.Pointer || k == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		return walkJSON(v.Elem(), depth, hops+1, path)
	}
	if t == timeType {
		if !v.CanInterface() {
			return nil // unexported: encoding/json does not encode it
		}
		if _, off := v.Interface().(time.Time).Zone(); off%60 != 0 {
			return fmt.Errorf("%w: offset %ds", ErrTimeOffset, off)
		}
		return nil
	}
	switch jsonMarshalerOf(v) {
	case byJSONMarshaler:
		return nil // opaque: its output is checked after encoding
	case byTextMarshaler:
		return checkMarshalText(v)
	}
	switch t.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return ErrInvalidUTF8
		}
	case reflect.Struct:
		if depth++; depth > MaxJSONDepth {
			return jsonDepthError()
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name, ok := jsonFieldName(f)
			if !ok || !jsonNeedsWalk(f.Type) {
				continue
			}
			if err := walkJSON(v.Field(i), depth, 0, path); err != nil {
				*path = append(*path, "."+name)
				return err
			}
		}
	case reflect.Map:
		if depth++; depth > MaxJSONDepth {
			return jsonDepthError()
		}
		kt := t.Key()
		checkKey := kt.Kind() == reflect.String || implementsText(kt)
		checkElem := jsonNeedsWalk(t.Elem())
		if !checkKey && !checkElem {
			return nil
		}
		for it := v.MapRange(); it.Next(); {
			k := it.Key()
			if checkKey {
				var err error
				if kt.Kind() == reflect.String { // encoding/json prefers the string itself
					if !utf8.ValidString(k.String()) {
						err = ErrInvalidUTF8
					}
				} else {
					err = checkMarshalText(k)
				}
				if err != nil {
					*path = append(*path, fmt.Sprintf("[key %q]", k))
					return err
				}
			}
			if checkElem {
				if err := walkJSON(it.Value(), depth, 0, path); err != nil {
					*path = append(*path, fmt.Sprintf("[%q]", k))
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if depth++; depth > MaxJSONDepth {
			return jsonDepthError()
		}
		if !jsonNeedsWalk(t.Elem()) {
			return nil
		}
		for i := range v.Len() {
			if err := walkJSON(v.Index(i), depth, 0, path); err != nil {
				*path = append(*path, fmt.Sprintf("[%d]", i))
				return err
			}
		}
	}
	return nil
}

func jsonDepthError() error {
	return fmt.Errorf("%w: value nests deeper than %d", ErrLimitExceeded, MaxJSONDepth)
}

// jsonFieldName returns the name encoding/json gives field f, and false if
// encoding/json skips it.
func jsonFieldName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	if f.Anonymous {
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		// An unexported embedded struct still contributes its exported fields.
		if !f.IsExported() && ft.Kind() != reflect.Struct {
			return "", false
		}
	} else if !f.IsExported() {
		return "", false
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name, true
	}
	return f.Name, true
}

type marshalerKind int

const (
	byReflection marshalerKind = iota
	byJSONMarshaler
	byTextMarshaler
)

// jsonMarshalerOf reports how encoding/json encodes v: a method on the value,
// or on its address when v is addressable, takes precedence over reflection.
func jsonMarshalerOf(v reflect.Value) marshalerKind {
	t := v.Type()
	pt := reflect.PointerTo(t)
	addr := v.CanAddr()
	switch {
	case t.Implements(jsonMarshalerType) || addr && pt.Implements(jsonMarshalerType):
		return byJSONMarshaler
	case t.Implements(textMarshalerType) || addr && pt.Implements(textMarshalerType):
		return byTextMarshaler
	}
	return byReflection
}

func implementsText(t reflect.Type) bool {
	return t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)
}

// checkMarshalText runs v's MarshalText, as encoding/json will, and checks
// that its output is valid UTF-8. If MarshalText fails, encoding/json will
// report that itself.
func checkMarshalText(v reflect.Value) error {
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		return nil
	}
	if !v.Type().Implements(textMarshalerType) && v.CanAddr() {
		v = v.Addr()
	}
	if !v.CanInterface() {
		return nil // unexported: encoding/json cannot call it either
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		return nil
	}
	b, err := m.MarshalText()
	if err == nil && !utf8.Valid(b) {
		return fmt.Errorf("%w: from MarshalText", ErrInvalidUTF8)
	}
	return nil
}

// jsonWalkCache maps a reflect.Type to whether values of it need walking.
var jsonWalkCache sync.Map

// jsonNeedsWalk reports whether a value of type t can hold a string, a
// time.Time or a TextMarshaler that encoding/json would encode.
func jsonNeedsWalk(t reflect.Type) bool {
	if r, ok := jsonWalkCache.Load(t); ok {
		return r.(bool)
	}
	r := needsWalk(t, map[reflect.Type]bool{})
	jsonWalkCache.Store(t, r)
	return r
}

func needsWalk(t reflect.Type, inProgress map[reflect.Type]bool) bool {
	if inProgress[t] {
		return true // a recursive type: decide when walking
	}
	switch {
	case t.Kind() == reflect.Interface:
		return true
	case t.Kind() == reflect.Pointer:
		inProgress[t] = true
		defer delete(inProgress, t)
		return needsWalk(t.Elem(), inProgress)
	case t == timeType:
		return true
	case t.Implements(jsonMarshalerType):
		return false
	case implementsText(t) || reflect.PointerTo(t).Implements(jsonMarshalerType):
		// Which method encoding/json uses depends on addressability, known
		// only when walking.
		return true
	}
	inProgress[t] = true
	defer delete(inProgress, t)
	switch t.Kind() {
	case reflect.String:
		return true
	case reflect.Slice, reflect.Array:
		return needsWalk(t.Elem(), inProgress)
	case reflect.Map:
		return t.Key().Kind() == reflect.String || needsWalk(t.Key(), inProgress) || needsWalk(t.Elem(), inProgress)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if _, ok := jsonFieldName(f); ok && needsWalk(f.Type, inProgress) {
				return true
			}
		}
	}
	return false
}
