package msgpack_test

import (
	"math"
	"reflect"
	"time"
)

// inAny is what the codec delivers into an `any` for v, as the package
// documentation says.
func inAny(v any) any { return tree(reflect.ValueOf(v)) }

func tree(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		tm := v.Interface().(time.Time)
		if tm.IsZero() {
			return time.Time{}
		}
		return tm.Local()
	}
	switch v.Kind() {
	case reflect.Int:
		return narrowest(v.Int())
	case reflect.Uint:
		return narrowestUnsigned(v.Uint())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return tree(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes()
		}
		fallthrough
	case reflect.Array:
		l := make([]any, v.Len())
		for i := range l {
			l[i] = tree(v.Index(i))
		}
		return l
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := make(map[any]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[tree(it.Key())] = tree(it.Value())
		}
		return m
	case reflect.Struct:
		m := map[any]any{}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				m[f.Name] = tree(v.Field(i))
			}
		}
		return m
	}
	return v.Interface() // fixed-width numbers, strings, bools keep their type
}

// narrowest is the type MessagePack writes a Go int with: a fixint for -32
// to 127, else the narrowest signed type for a negative number and the
// narrowest unsigned one for a positive number.
func narrowest(n int64) any {
	switch {
	case n >= 0:
		return narrowestUnsigned(uint64(n))
	case n >= -32 || n >= math.MinInt8:
		return int8(n)
	case n >= math.MinInt16:
		return int16(n)
	case n >= math.MinInt32:
		return int32(n)
	}
	return n
}

func narrowestUnsigned(n uint64) any {
	switch {
	case n <= math.MaxInt8:
		return int8(n)
	case n <= math.MaxUint8:
		return uint8(n)
	case n <= math.MaxUint16:
		return uint16(n)
	case n <= math.MaxUint32:
		return uint32(n)
	}
	return n
}
