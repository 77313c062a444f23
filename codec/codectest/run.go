package codectest

import (
	"testing"

	"github.com/netchan/netchan/codec"
)

// Run checks that c keeps the promises netchan makes for every codec, with
// the claims opts: each part is a subtest, so that -run can pick one.
//
//   - RoundTrip: generated values of many shapes arrive as sent, up to
//     what opts claim, through netchan's path (a session per end,
//     codec.AppendPointer) and through Marshal and Unmarshal; a value opts
//     say the codec refuses is refused with an error wrapping
//     codec.ErrUnsupported.
//   - Refusals: a value holding a channel or a function is refused with
//     an error wrapping codec.ErrUnsupported that names the field, and the
//     caller's buffer comes back unchanged.
//   - UnexportedFields: a struct with one encodes, and the field arrives
//     zero.
//   - Interfaces: values in an `any`, at the top and in a field, arrive as
//     AnyAs says, or with their own type; a value of an interface type with
//     methods arrives with its type, or is refused, or fails to decode,
//     never changed.
//   - Malformed: truncated input, input with bytes after its value and
//     length headers claiming far more than the input holds fail to
//     decode, cheaply; random and mutated input never makes the codec
//     panic, and whatever it decodes encodes again to the same value.
//   - FastPaths: Appender, PointerAppender and Stateful, where c has them,
//     agree with Marshal.
//   - Concurrent: one codec value used from several goroutines, and one
//     session's two sides used at once, as netchan uses them; run with
//     -race.
//   - DataNotKept: Unmarshal keeps nothing of its input, which netchan
//     reuses.
//
// The checks are rapid properties: -rapid.checks sets how many values
// each tries.
func Run(t *testing.T, c codec.Codec, opts ...Option) {
	t.Helper()
	k := newKit(c, opts)
	t.Run("Name", k.name)
	t.Run("RoundTrip", k.roundTrips)
	t.Run("Refusals", k.refusals)
	t.Run("UnexportedFields", k.unexported)
	t.Run("Interfaces", k.interfaces)
	t.Run("Malformed", k.malformed)
	t.Run("FastPaths", k.fastPaths)
	t.Run("Concurrent", k.concurrent)
	t.Run("DataNotKept", k.dataNotKept)
}

// kit is one codec under test, with its claims.
type kit struct {
	c      codec.Codec
	claims *claims
}

func newKit(c codec.Codec, opts []Option) *kit {
	k := &kit{c: c, claims: newClaims(opts)}
	if k.claims.register != nil {
		for _, v := range anyTypes() {
			k.claims.register(v)
		}
	}
	return k
}

// name checks the name netchan's handshake sends: 1 to 64 bytes of
// printable ASCII, the same for every session.
func (k *kit) name(t *testing.T) {
	n := k.c.Name()
	if len(n) == 0 || len(n) > 64 {
		t.Fatalf("Name() is %q: want 1 to 64 bytes", n)
	}
	for _, b := range []byte(n) {
		if b < 0x21 || b > 0x7e {
			t.Fatalf("Name() is %q: want printable ASCII, no spaces", n)
		}
	}
	if s := codec.ForConnection(k.c).Name(); s != n {
		t.Fatalf("a session's Name() is %q, the codec's %q", s, n)
	}
}
