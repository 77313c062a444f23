package codectest

import (
	"encoding"
	"encoding/base64"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The functions below model what CBOR and JSON decode into an `any`, for
// the values the kit sends in one and for what they decode themselves.

// cborAny is what codec.CBOR delivers into an `any` for v: integers as
// uint64, or int64 when negative; floats as float64; byte slices as they
// are; other slices and arrays as []any; maps and structs as map[any]any;
// times in UTC, the zero time as nil.
func cborAny(v any) any {
	return toTree(reflect.ValueOf(v), tree{
		integer: func(v reflect.Value) any {
			if isSigned(v) && v.Int() < 0 {
				return v.Int()
			}
			return unsigned(v)
		},
		float:   func(f float64, _ int) any { return f },
		bytes:   func(b []byte) any { return b },
		newMap:  func() reflect.Value { return reflect.ValueOf(map[any]any{}) },
		mapKey:  func(k reflect.Value, t tree) reflect.Value { return reflect.ValueOf(toTree(k, t)) },
		time:    func(t time.Time) any { return t.UTC() },
		jsonTag: false,
	})
}

// jsonAny is what codec.JSON delivers into an `any` for v: numbers as
// float64; byte slices as base64 text; other slices and arrays as []any;
// maps and structs as map[string]any; times as RFC 3339 text.
func jsonAny(v any) any {
	return toTree(reflect.ValueOf(v), tree{
		integer: func(v reflect.Value) any {
			if isSigned(v) {
				return float64(v.Int())
			}
			return float64(v.Uint())
		},
		float: func(f float64, bits int) any {
			// encoding/json writes the shortest text that reads back as
			// the same float of the value's own size.
			g, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', -1, bits), 64)
			return g
		},
		bytes:  func(b []byte) any { return base64.StdEncoding.EncodeToString(b) },
		newMap: func() reflect.Value { return reflect.ValueOf(map[string]any{}) },
		mapKey: func(k reflect.Value, _ tree) reflect.Value {
			if m, ok := k.Interface().(encoding.TextMarshaler); ok {
				b, _ := m.MarshalText()
				return reflect.ValueOf(string(b))
			}
			if k.Kind() == reflect.String {
				return reflect.ValueOf(k.String())
			}
			if isSigned(k) {
				return reflect.ValueOf(strconv.FormatInt(k.Int(), 10))
			}
			return reflect.ValueOf(strconv.FormatUint(k.Uint(), 10))
		},
		time:    func(t time.Time) any { return t.Format(time.RFC3339Nano) },
		zero:    func(t time.Time) any { return t.Format(time.RFC3339Nano) },
		jsonTag: true,
	})
}

// tree describes how a self-describing format decodes into an `any`.
type tree struct {
	integer func(reflect.Value) any
	float   func(f float64, bits int) any
	bytes   func([]byte) any
	newMap  func() reflect.Value
	mapKey  func(reflect.Value, tree) reflect.Value
	time    func(time.Time) any
	// zero is what the zero time becomes; nil when it becomes nil.
	zero func(time.Time) any
	// jsonTag says that struct fields are named by their `json` tag.
	jsonTag bool
}

var bigIntType = reflect.TypeFor[big.Int]()

func toTree(v reflect.Value, t tree) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Type() {
	case timeType:
		tm := v.Interface().(time.Time)
		if tm.IsZero() {
			if t.zero == nil {
				return nil
			}
			return t.zero(tm)
		}
		return t.time(tm)
	case bigIntType:
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Bool, reflect.String:
		return v.Interface()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return t.integer(v)
	case reflect.Float32:
		return t.float(v.Float(), 32)
	case reflect.Float64:
		return t.float(v.Float(), 64)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toTree(v.Elem(), t)
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return t.bytes(v.Bytes())
		}
		return toList(v, t)
	case reflect.Array:
		return toList(v, t)
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := t.newMap()
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(t.mapKey(it.Key(), t), treeValue(toTree(it.Value(), t), m.Type().Elem()))
		}
		return m.Interface()
	case reflect.Struct:
		m := t.newMap()
		st := v.Type()
		for i := range st.NumField() {
			f := st.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); t.jsonTag && tag != "" {
				name = tag
			}
			m.SetMapIndex(reflect.ValueOf(name).Convert(m.Type().Key()), treeValue(toTree(v.Field(i), t), m.Type().Elem()))
		}
		return m.Interface()
	}
	return v.Interface()
}

func toList(v reflect.Value, t tree) any {
	l := make([]any, v.Len())
	for i := range l {
		l[i] = toTree(v.Index(i), t)
	}
	return l
}

// treeValue makes x a value for a map of element type elem, nil included.
func treeValue(x any, elem reflect.Type) reflect.Value {
	if x == nil {
		return reflect.Zero(elem)
	}
	return reflect.ValueOf(x)
}

func isSigned(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

func unsigned(v reflect.Value) uint64 {
	if isSigned(v) {
		return uint64(v.Int())
	}
	return v.Uint()
}
