package codectest

import (
	"fmt"
	"math/big"
	"reflect"
	"time"
)

var timeType = reflect.TypeFor[time.Time]()

// Diff returns "" if got is a value a codec with the claims opts may
// deliver for want, and otherwise where and how they differ. want and got
// are compared as values of their own types; AnyAs applies to the
// interfaces inside them. Floats are compared by value and sign, any NaN
// equal to any NaN; times by time.Time.Equal and their zone offset (see
// TimeArrivesIn); unexported fields not at all; everything else exactly,
// up to what opts allow.
func Diff(want, got any, opts ...Option) string {
	return comparer{newClaims(opts)}.diff(reflect.ValueOf(want), reflect.ValueOf(got), "", false)
}

// diffAny compares want and got as values sent in an interface, so that a
// claimed AnyAs applies to them.
func diffAny(c *claims, want, got any) string {
	return diffOf(c, want, got)
}

// diffOf compares want and got as values of their static type T.
func diffOf[T any](c *claims, want, got T) string {
	w, g := reflect.ValueOf(&want).Elem(), reflect.ValueOf(&got).Elem()
	return comparer{c}.diff(w, g, "", false)
}

type comparer struct{ c *claims }

// diff compares w, what was sent, with g, what arrived, at path. mapped
// says that w is already what AnyAs made of a value sent in an interface,
// so interfaces inside it are compared as they are.
func (cm comparer) diff(w, g reflect.Value, path string, mapped bool) string {
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			return cm.differ(path, w, g, "")
		}
		return ""
	}
	if w.Type() != g.Type() {
		return cm.differ(path, w, g, fmt.Sprintf("a %v arrived as a %v", w.Type(), g.Type()))
	}
	if w.Type() == timeType {
		return cm.diffTime(w, g, path)
	}
	if w.Type() == bigIntType && w.CanInterface() { // its words may be stored with different capacities
		x, y := w.Interface().(big.Int), g.Interface().(big.Int)
		if x.Cmp(&y) != 0 {
			return cm.differ(path, w, g, "")
		}
		return ""
	}
	switch w.Kind() {
	case reflect.Bool:
		if w.Bool() != g.Bool() {
			return cm.differ(path, w, g, "")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if w.Int() != g.Int() {
			return cm.differ(path, w, g, "")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if w.Uint() != g.Uint() {
			return cm.differ(path, w, g, "")
		}
	case reflect.Float32, reflect.Float64:
		if !cm.sameFloat(w.Float(), g.Float()) {
			return cm.differ(path, w, g, "")
		}
	case reflect.Complex64, reflect.Complex128:
		x, y := w.Complex(), g.Complex()
		if !cm.sameFloat(real(x), real(y)) || !cm.sameFloat(imag(x), imag(y)) {
			return cm.differ(path, w, g, "")
		}
	case reflect.String:
		if w.String() != g.String() {
			return cm.differ(path, w, g, "")
		}
	case reflect.Pointer:
		switch {
		case w.IsNil() && g.IsNil():
		case g.IsNil() && cm.mayBeNil(w.Elem()):
		case w.IsNil() || g.IsNil():
			return cm.differ(path, w, g, "")
		default:
			return cm.diff(w.Elem(), g.Elem(), path, mapped)
		}
	case reflect.Interface:
		return cm.diffInterface(w, g, path, mapped)
	case reflect.Slice:
		switch {
		case w.IsNil() && g.IsNil():
			return ""
		case g.IsNil() && w.Len() == 0 && cm.c.emptySliceNil:
			return ""
		case w.IsNil() != g.IsNil():
			return cm.differ(path, w, g, "nil and empty differ")
		}
		return cm.diffElems(w, g, path, mapped)
	case reflect.Array:
		return cm.diffElems(w, g, path, mapped)
	case reflect.Map:
		return cm.diffMap(w, g, path, mapped)
	case reflect.Struct:
		t := w.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue // no reflection-based codec sends it
			}
			if d := cm.diff(w.Field(i), g.Field(i), path+"."+t.Field(i).Name, mapped); d != "" {
				return d
			}
		}
	}
	return ""
}

// diffInterface compares the values in two interfaces: what AnyAs makes of
// w's for an empty interface, when claimed, else w's own.
func (cm comparer) diffInterface(w, g reflect.Value, path string, mapped bool) string {
	if !mapped && cm.c.anyAs != nil && w.NumMethod() == 0 {
		var sent any
		if !w.IsNil() {
			sent = w.Elem().Interface()
		}
		want := cm.c.anyAs(sent)
		if want == nil || g.IsNil() {
			if (want == nil) != g.IsNil() {
				return cm.differ(path, reflect.ValueOf(&want).Elem(), g, "(as AnyAs says it arrives)")
			}
			return ""
		}
		return cm.diff(reflect.ValueOf(want), g.Elem(), path, true)
	}
	switch {
	case w.IsNil() && g.IsNil():
		return ""
	case g.IsNil() && cm.mayBeNil(w.Elem()):
		return ""
	case w.IsNil() || g.IsNil():
		return cm.differ(path, w, g, "")
	}
	return cm.diff(w.Elem(), g.Elem(), path, mapped)
}

func (cm comparer) diffElems(w, g reflect.Value, path string, mapped bool) string {
	if w.Len() != g.Len() {
		return cm.differ(path, w, g, fmt.Sprintf("%d elements arrived as %d", w.Len(), g.Len()))
	}
	for i := range w.Len() {
		if d := cm.diff(w.Index(i), g.Index(i), fmt.Sprintf("%s[%d]", path, i), mapped); d != "" {
			return d
		}
	}
	return ""
}

func (cm comparer) diffMap(w, g reflect.Value, path string, mapped bool) string {
	if w.IsNil() != g.IsNil() && !(w.IsNil() && g.Len() == 0 && cm.c.nilMapEmpty) {
		return cm.differ(path, w, g, "nil and empty differ")
	}
	if w.Len() != g.Len() {
		return cm.differ(path, w, g, fmt.Sprintf("%d entries arrived as %d", w.Len(), g.Len()))
	}
	var unfound []entry // w's entries whose key g does not hold by ==
	for it := w.MapRange(); it.Next(); {
		k := it.Key()
		gv := g.MapIndex(k)
		if !gv.IsValid() {
			unfound = append(unfound, entry{k, it.Value()})
			continue
		}
		if d := cm.diff(it.Value(), gv, fmt.Sprintf("%s[%v]", path, show(k)), mapped); d != "" {
			return d
		}
	}
	if len(unfound) == 0 {
		return ""
	}
	// Keys that are equal but not == (NaN, a time in another zone) are
	// paired among the entries of g whose key w does not hold by ==.
	var rest []entry
	for it := g.MapRange(); it.Next(); {
		if !w.MapIndex(it.Key()).IsValid() {
			rest = append(rest, entry{it.Key(), it.Value()})
		}
	}
	return cm.diffUnfound(unfound, rest, path, mapped)
}

func (cm comparer) differ(path string, w, g reflect.Value, why string) string {
	if path == "" {
		path = "the value"
	}
	s := fmt.Sprintf("%s: sent %s, got %s", path, show(w), show(g))
	if why != "" {
		s += ": " + why
	}
	return s
}

// show formats v for a message.
func show(v reflect.Value) string {
	if !v.IsValid() {
		return "nothing"
	}
	if v.Kind() == reflect.Interface && v.IsNil() {
		return "nil"
	}
	if v.CanInterface() {
		return fmt.Sprintf("%#v", v.Interface())
	}
	return v.Type().String()
}
