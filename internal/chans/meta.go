package chans

import (
	"fmt"
	"reflect"

	"github.com/netchan/netchan/internal/shape"
)

// metaKind starts the meta of a stream that carries a channel of a value.
const metaKind = 'c'

// Meta is what the open frame of a channel's stream says it carries: the
// kind byte 'c', the direction as the receiving program sees it, and the
// shape of the channel's element type.
func Meta(t reflect.Type) []byte {
	return append([]byte{metaKind, byte(DirOf(t))}, shape.Of(t.Elem())...)
}

// CheckMeta reports whether a stream whose open frame said meta can be a
// channel of type t: same direction, and element shapes that agree.
func CheckMeta(meta []byte, t reflect.Type) error {
	if len(meta) < 2 || meta[0] != metaKind {
		return fmt.Errorf("the stream's open frame does not announce a channel (meta %q)", meta)
	}
	if Dir(meta[1]) != DirOf(t) {
		return fmt.Errorf("the stream goes the other way than %v", t)
	}
	if !shape.Agree(string(meta[2:]), shape.Of(t.Elem())) {
		return fmt.Errorf("the stream's values have shape %q, those of %v %q", meta[2:], t, shape.Of(t.Elem()))
	}
	return nil
}
