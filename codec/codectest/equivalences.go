package codectest

import (
	"fmt"
	"math"
	"reflect"
	"time"
)

// The rules below are where the claims loosen exact equality.

// diffTime compares times by instant, and by zone offset or the location
// claimed.
func (cm comparer) diffTime(w, g reflect.Value, path string) string {
	if !w.CanInterface() || !g.CanInterface() {
		return ""
	}
	wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
	switch {
	case !wt.Equal(gt) || wt.IsZero() != gt.IsZero():
		return cm.differ(path, w, g, "a different instant")
	case wt.IsZero():
		return ""
	case cm.c.timeLoc != nil:
		if gt.Location() != cm.c.timeLoc {
			return cm.differ(path, w, g, fmt.Sprintf("arrived in %v, not %v", gt.Location(), cm.c.timeLoc))
		}
	default:
		_, sentOffset := wt.Zone()
		if _, offset := gt.Zone(); offset != sentOffset {
			return cm.differ(path, w, g, "the zone offset changed")
		}
	}
	return ""
}

// sameFloat reports whether x arriving as y keeps its value: both NaN, or
// equal with the same sign unless -0 may arrive as +0.
func (cm comparer) sameFloat(x, y float64) bool {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	return x == y && (math.Signbit(x) == math.Signbit(y) || cm.c.negZero && x == 0)
}

// mayBeNil reports whether a pointer or interface holding v may arrive
// nil.
func (cm comparer) mayBeNil(v reflect.Value) bool {
	if cm.c.zeroTime && v.Type() == timeType && v.CanInterface() && v.Interface().(time.Time).IsZero() {
		return true
	}
	return cm.c.zeroPointer && zeroish(v)
}

// zeroish reports whether v is what gob counts as zero and leaves out: a
// zero number (-0 included), an empty string, slice or map, false, nil,
// the zero time, or an array or struct of such.
func zeroish(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.String, reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Array:
		for i := range v.Len() {
			if !zeroish(v.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if v.Type() == timeType && v.CanInterface() {
			return v.Interface().(time.Time).IsZero()
		}
		for i := range v.NumField() {
			if !zeroish(v.Field(i)) {
				return false
			}
		}
		return true
	}
	return v.IsZero()
}
