package codec

import (
	"errors"
	"fmt"
	"reflect"
	"time"
)

// gob encodes a struct without its channel and function fields, as if
// they were unexported, and says nothing: the peer would receive nil where
// the program sent a channel. And time.Time.MarshalBinary, which gob
// calls, writes the seconds of a negative zone offset that is not a whole
// number of minutes as if they were positive: the instant arrives, in a
// zone some minutes off; an offset of -1 minute it refuses. The gob codec
// refuses both, naming the part, as the CBOR and JSON encoders refuse what
// they cannot carry.

// errGobDropsField is the encoder's error the gob codec reports for a
// channel or function field.
var errGobDropsField = errors.New("gob would leave the field out and deliver nil in its place")

// checkGobFields returns an *UnsupportedError if a part of v below v itself
// is a channel, a function or a time gob would change. gob refuses v
// itself if it is a channel or a function.
func checkGobFields(v reflect.Value) error {
	if !gobPlanOf(v.Type()).find(v, 0) {
		return nil
	}
	// Found: now name it, which may take longer.
	t := v.Type()
	for (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		v = v.Elem()
	}
	if v.Type() == timeType {
		if off, ok := gobBadOffset(v); ok {
			return &UnsupportedError{Codec: "gob", Type: t, Err: gobOffsetError(off)}
		}
		return nil
	}
	path, part := locate(v, gobCannot, nil)
	if path == "" {
		return nil
	}
	u := &UnsupportedError{Codec: "gob", Type: t, Path: path, Part: part.Type(), Err: errGobDropsField}
	if off, ok := gobBadOffset(part); ok {
		u.Err = gobOffsetError(off)
	}
	return u
}

// gobCannot reports the kinds gob cannot send, or sends as nothing, and
// the times it would change.
func gobCannot(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	}
	_, bad := gobBadOffset(v)
	return bad
}

// gobBadOffset returns the zone offset of v, a time, if time.Time's binary
// form would not carry it: negative and not a whole number of minutes, or
// -1 minute, which that form keeps for UTC.
func gobBadOffset(v reflect.Value) (int, bool) {
	if v.Type() != timeType {
		return 0, false
	}
	var t time.Time
	switch {
	case v.CanAddr(): // no copy of the time on the heap
		t = *v.Addr().Interface().(*time.Time)
	case v.CanInterface():
		t = v.Interface().(time.Time)
	default:
		return 0, false // unexported: gob does not send it
	}
	_, off := t.Zone()
	return off, off < 0 && (off%60 != 0 || off/60 == -1)
}

func gobOffsetError(off int) error {
	return fmt.Errorf("%w: gob would deliver the time in a zone of another offset than %ds", ErrTimeOffset, off)
}
