package codectest

import (
	"fmt"
	"math"
	"reflect"
	"time"
	"unicode/utf8"
)

// Refuses reports whether a codec with the claims opts must refuse v: v
// holds a part that a Refuses option names, such as a string that is not
// UTF-8 under RefusesInvalidUTF8.
func Refuses(v any, opts ...Option) bool {
	return newClaims(opts).refusal(v) != ""
}

// refusal returns why the codec must refuse v, or "" if it must carry it.
func (c *claims) refusal(v any) string {
	if !c.refuseUTF8 && !c.refuseNonFinite && c.refuseTime == nil {
		return ""
	}
	return c.refusalOf(reflect.ValueOf(v), "")
}

// refusalOf walks v as reflection-based encoders do, through exported
// fields, elements, map keys and values, pointers and interfaces.
func (c *claims) refusalOf(v reflect.Value, path string) string {
	if !v.IsValid() {
		return ""
	}
	if v.Type() == timeType {
		if c.refuseTime != nil && v.CanInterface() && c.refuseTime(v.Interface().(time.Time)) {
			return fmt.Sprintf("%s: the time %v", path, v.Interface())
		}
		return ""
	}
	switch v.Kind() {
	case reflect.String:
		if c.refuseUTF8 && !utf8.ValidString(v.String()) {
			return fmt.Sprintf("%s: the string %q is not UTF-8", path, v.String())
		}
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); c.refuseNonFinite && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return fmt.Sprintf("%s: the float %v", path, f)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return c.refusalOf(v.Elem(), path)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "" // bytes, not text
		}
		for i := range v.Len() {
			if r := c.refusalOf(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); r != "" {
				return r
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			p := fmt.Sprintf("%s[%v]", path, show(it.Key()))
			if r := c.refusalOf(it.Key(), p); r != "" {
				return r
			}
			if r := c.refusalOf(it.Value(), p); r != "" {
				return r
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			if r := c.refusalOf(v.Field(i), path+"."+t.Field(i).Name); r != "" {
				return r
			}
		}
	}
	return ""
}
