package codec

import (
	"encoding"
	"fmt"
	"reflect"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// A CBOR map must not hold two keys that encode alike: the decoder refuses
// such a frame, so that two readers cannot disagree on a value. A Go map
// can hold them: int64(1) and uint64(1) in a map[any]any, nil and the zero
// time (both CBOR null), one instant in two zones, two pointers to equal
// values. The CBOR codec refuses a value that holds such a map, so that
// the sender learns what its peer would refuse. It walks only values of
// types that can hold a map whose keys may collide; for every other type
// the cost is one look-up of the type.

var (
	cborKeysCache       sync.Map // reflect.Type → bool, cborKeysNeedWalk's answer
	cborMarshalerType   = reflect.TypeFor[cbor.Marshaler]()
	binaryMarshalerType = reflect.TypeFor[encoding.BinaryMarshaler]()
)

// checkCBORKeys returns an *UnsupportedError wrapping ErrDuplicateKey, with
// the path to the map, if v holds a map two of whose keys encode alike.
func checkCBORKeys(enc cbor.UserBufferEncMode, v any) error {
	if v == nil {
		return nil
	}
	if !cborKeysNeedWalk(reflect.TypeOf(v)) {
		return nil
	}
	rv := reflect.ValueOf(v)
	if path, m, err := walkCBORKeys(enc, rv); err != nil {
		return &UnsupportedError{Codec: "cbor", Type: rv.Type(), Path: path, Part: m, Err: err}
	}
	return nil
}

// walkCBORKeys checks v, returning the path to the map at fault and its
// type.
func walkCBORKeys(enc cbor.UserBufferEncMode, v reflect.Value) (string, reflect.Type, error) {
	t := v.Type()
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", nil, nil
		}
		return walkCBORKeys(enc, v.Elem())
	case reflect.Slice, reflect.Array:
		if !cborKeysNeedWalk(t.Elem()) {
			return "", nil, nil
		}
		for i := range v.Len() {
			if path, m, err := walkCBORKeys(enc, v.Index(i)); err != nil {
				return fmt.Sprintf("[%d]%s", i, path), m, err
			}
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !cborEncodes(f) || !cborKeysNeedWalk(f.Type) {
				continue
			}
			if path, m, err := walkCBORKeys(enc, v.Field(i)); err != nil {
				return "." + f.Name + path, m, err
			}
		}
	case reflect.Map:
		if cborKeysMayCollide(t.Key(), map[reflect.Type]bool{}) {
			seen := make(map[string]reflect.Value, v.Len())
			for it := v.MapRange(); it.Next(); {
				k := it.Key()
				if !k.CanInterface() {
					return "", nil, nil // in an unexported field: not encoded
				}
				b, err := enc.Marshal(k.Interface())
				if err != nil {
					return "", nil, nil // the encoder would have failed first
				}
				if other, ok := seen[string(b)]; ok {
					return "", t, fmt.Errorf("%w: %v and %v", ErrDuplicateKey, showKey(other), showKey(k))
				}
				seen[string(b)] = k
			}
		}
		if !cborKeysNeedWalk(t.Elem()) {
			return "", nil, nil
		}
		for it := v.MapRange(); it.Next(); {
			if path, m, err := walkCBORKeys(enc, it.Value()); err != nil {
				return fmt.Sprintf("[%v]%s", showKey(it.Key()), path), m, err
			}
		}
	}
	return "", nil, nil
}

// showKey formats a map key for a message.
func showKey(k reflect.Value) string {
	if k.Kind() == reflect.Interface && k.IsNil() {
		return "nil"
	}
	return fmt.Sprintf("%#v", k.Interface())
}

// cborEncodes reports whether the encoder encodes struct field f: an
// exported one, or an embedded struct whose exported fields it promotes.
func cborEncodes(f reflect.StructField) bool {
	return f.IsExported() || f.Anonymous
}

func cborKeysNeedWalk(t reflect.Type) bool {
	if r, ok := cborKeysCache.Load(t); ok {
		return r.(bool)
	}
	r := holdsCollidingMap(t, map[reflect.Type]bool{})
	cborKeysCache.Store(t, r)
	return r
}

// holdsCollidingMap reports whether a value of type t can hold a map whose
// keys may encode alike.
func holdsCollidingMap(t reflect.Type, inProgress map[reflect.Type]bool) bool {
	if inProgress[t] {
		return false // a recursive type: its other parts decide
	}
	inProgress[t] = true
	defer delete(inProgress, t)
	switch {
	case t.Kind() == reflect.Interface:
		return true // it may hold any map
	case t == timeType, t.Implements(cborMarshalerType), t.Implements(binaryMarshalerType):
		return false // encoded by its own method, not as a Go map
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsCollidingMap(t.Elem(), inProgress)
	case reflect.Map:
		return cborKeysMayCollide(t.Key(), map[reflect.Type]bool{}) || holdsCollidingMap(t.Elem(), inProgress)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); cborEncodes(f) && holdsCollidingMap(f.Type, inProgress) {
				return true
			}
		}
	}
	return false
}

// cborKeysMayCollide reports whether two distinct keys of type k may encode
// alike. Two NaN keys may, but the decoder cannot find the second NaN as a
// repeat of the first, so it does not refuse them.
func cborKeysMayCollide(k reflect.Type, inProgress map[reflect.Type]bool) bool {
	if inProgress[k] {
		return false
	}
	inProgress[k] = true
	defer delete(inProgress, k)
	switch {
	case k.Kind() == reflect.Interface, k.Kind() == reflect.Pointer:
		return true
	case k == timeType, k.Implements(cborMarshalerType), k.Implements(binaryMarshalerType):
		return true // one instant in two zones; a method need not tell keys apart
	}
	switch k.Kind() {
	case reflect.Array:
		return cborKeysMayCollide(k.Elem(), inProgress)
	case reflect.Struct:
		for i := range k.NumField() {
			f := k.Field(i)
			if !cborEncodes(f) || cborKeysMayCollide(f.Type, inProgress) {
				return true // a field not encoded tells keys apart that encode alike
			}
		}
	}
	return false
}
