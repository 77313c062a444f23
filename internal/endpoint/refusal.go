package endpoint

import (
	"errors"
	"fmt"

	"github.com/netchan/netchan/codec"
)

// refusal is why a value holding channels was refused before the codec saw
// it: a limit (conn.ErrLimit: streams, a reply channel's capacity, the
// nesting depth) or a channel netchan carries already (ErrChanInUse).
// Nothing of the value was sent, and a stateful codec's state did not
// move, so the connection goes on as if the value had never been sent.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// encodeFailed returns the error for a value v that could not go because
// encoding it, with c, failed with err, and whether a stateful codec's
// state moved with it. A refusal reads as what it is, naming the value's
// type, and leaves the state alone; anything else is the codec's failure,
// ErrEncode.
func encodeFailed(v any, c codec.Codec, err error) (_ error, moved bool) {
	var r *refusal
	if errors.As(err, &r) {
		return fmt.Errorf("netchan: %T refused: %w", v, r.err), false
	}
	return fmt.Errorf("%w %T with %s: %w", ErrEncode, v, c.Name(), err), true
}
