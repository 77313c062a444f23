package codectest

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/netchan/netchan/codec"
)

// refusals checks values no codec can carry: each must be refused with an
// error that names the field at fault, and nothing may be written to the
// caller's buffer.
func (k *kit) refusals(t *testing.T) {
	t.Run("ChanField", func(t *testing.T) {
		refused(t, k, request{ID: 1, Reply: make(chan int)}, "Reply")
	})
	t.Run("ChanFieldDeeper", func(t *testing.T) {
		refused(t, k, envelope{Seq: 1, Body: []request{{ID: 2}, {ID: 3, Reply: make(chan int)}}}, "Reply")
	})
	t.Run("FuncField", func(t *testing.T) {
		refused(t, k, callback{Name: "f", Run: func() {}}, "Run")
	})
}

func refused[T any](t *testing.T, k *kit, v T, field string) {
	_, err := marshal(k.c, v)
	requireRefused(t, "Marshal", err, field)

	prefix := []byte("prefix")
	out, err := encodeAs(codec.ForConnection(k.c), prefix, &v)
	requireRefused(t, "netchan's path (codec.AppendPointer)", err, field)
	requireUnchanged(t, "codec.AppendPointer", prefix, out)

	if a, ok := k.c.(codec.Appender); ok {
		err := guard(func() error {
			var err error
			out, err = a.AppendMarshal(prefix, v)
			return err
		})
		requireRefused(t, "AppendMarshal", err, field)
		requireUnchanged(t, "AppendMarshal", prefix, out)
	}
}

// requireUnchanged fails unless a failed append returned dst as it was.
func requireUnchanged(t tb, what string, dst, out []byte) {
	t.Helper()
	if !bytes.Equal(out, dst) {
		t.Fatalf("%s failed and returned %q, want the buffer unchanged, %q", what, head(out), dst)
	}
}

// unexported checks that a struct with an unexported field encodes, and
// that the field arrives zero, as the package codec documentation says.
func (k *kit) unexported(t *testing.T) {
	v := private{Public: 7, hidden: 9}
	frame, err := encodeAs(codec.ForConnection(k.c), nil, &v)
	requireNoPanic(t, "encoding", nil, err)
	if err != nil {
		t.Fatalf("encoding %#v: %v", v, err)
	}
	got, err := decodeAs[private](codec.ForConnection(k.c), frame)
	requireNoPanic(t, "decoding", frame, err)
	switch {
	case err != nil:
		t.Fatalf("decoding %#v: %v", v, err)
	case got.Public != 7:
		t.Fatalf("the exported field arrived as %d, want 7", got.Public)
	case got.hidden != 0:
		t.Fatalf("the unexported field arrived as %d, want 0: netchan documents that unexported fields are not sent", got.hidden)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
