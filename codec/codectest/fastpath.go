package codectest

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"

	"github.com/netchan/netchan/codec"
)

// fastPaths checks that each optional interface the codec implements
// agrees with the plain path it stands in for. Agreeing means decoding to
// the same value: encodings may differ, in map order for one.
func (k *kit) fastPaths(t *testing.T) {
	implemented := false
	if _, ok := k.c.(codec.Appender); ok {
		implemented = true
		t.Run("Appender", func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				v := Shapes().Draw(rt, "v")
				k.agree(rt, v, func(c codec.Codec, dst []byte) ([]byte, error) {
					a, ok := c.(codec.Appender)
					if !ok {
						rt.Fatalf("the codec is an Appender, its session is not")
					}
					return a.AppendMarshal(dst, v)
				})
			})
		})
	}
	if _, ok := k.c.(codec.PointerAppender); ok {
		implemented = true
		t.Run("PointerAppender", func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				v := Shapes().Draw(rt, "v")
				k.agree(rt, v, func(c codec.Codec, dst []byte) ([]byte, error) {
					a, ok := c.(codec.PointerAppender)
					if !ok {
						rt.Fatalf("the codec is a PointerAppender, its session is not")
					}
					return a.AppendMarshalPointer(dst, &v)
				})
			})
		})
	}
	if s, ok := k.c.(codec.Stateful); ok {
		implemented = true
		t.Run("Stateful", func(t *testing.T) {
			a, b := s.NewSession(), s.NewSession()
			if a.Name() != k.c.Name() {
				t.Fatalf("a session is named %q, the codec %q", a.Name(), k.c.Name())
			}
			if a == b {
				t.Fatalf("NewSession returned the same session twice")
			}
		})
	}
	if !implemented {
		t.Logf("%s implements none of codec.Appender, codec.PointerAppender, codec.Stateful", k.c.Name())
	}
}

// agree encodes v with fast, on the codec and on a session of it, after a
// prefix, and checks that the prefix is kept and the rest decodes to what
// Marshal's output decodes to. A refused value must leave the buffer as it
// was.
func (k *kit) agree(t *rapid.T, v Shape, fast func(c codec.Codec, dst []byte) ([]byte, error)) {
	strict := newClaims(nil)
	for _, session := range []bool{false, true} {
		plain, plainRecv := k.c, k.c
		if session {
			plain, plainRecv = codec.ForConnection(k.c), codec.ForConnection(k.c)
		}
		want, wantErr := marshal(plain, v)

		sender, recv := k.c, k.c
		if session {
			sender, recv = codec.ForConnection(k.c), codec.ForConnection(k.c)
		}
		prefix := []byte("prefix")
		var out []byte
		err := guard(func() error {
			var err error
			out, err = fast(sender, prefix[:len(prefix):len(prefix)])
			return err
		})
		requireNoPanic(t, "the fast path", nil, err)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("the fast path returned %v, Marshal %v", err, wantErr)
		}
		if err != nil {
			requireRefused(t, "the fast path", err)
			requireUnchanged(t, "the fast path", prefix, out)
			continue
		}
		if !bytes.HasPrefix(out, prefix) {
			t.Fatalf("the fast path lost the buffer's contents: %q", head(out))
		}
		viaFast, err := decodeAs[Shape](recv, out[len(prefix):])
		if err != nil {
			t.Fatalf("decoding the fast path's encoding: %v", err)
		}
		viaPlain, err := decodeAs[Shape](plainRecv, want)
		if err != nil {
			t.Fatalf("decoding Marshal's encoding: %v", err)
		}
		if d := diffOf(strict, viaPlain, viaFast); d != "" {
			t.Fatalf("the fast path and Marshal disagree (session %v): %s", session, d)
		}
	}
}
