package codectest

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/netchan/netchan/codec"
)

// tb is what the checks need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// pair is the codec of one connection's two ends as netchan makes them:
// send encodes at one end, recv decodes at the other, each a session of
// its own when the codec is Stateful.
type pair struct{ send, recv codec.Codec }

func newPair(c codec.Codec) pair {
	return pair{send: codec.ForConnection(c), recv: codec.ForConnection(c)}
}

// panicked is a panic in the codec, caught so that the kit can report it
// with the input that caused it rather than end the test binary.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string { return fmt.Sprintf("panicked: %v\n%s", p.value, p.stack) }

// guard runs f and returns its error, or a *panicked if it panicked.
func guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicked{value: r, stack: debug.Stack()}
		}
	}()
	return f()
}

// encodeAs appends the encoding of *p to dst as netchan does: through
// codec.AppendPointer, and so through PointerAppender where c has it.
func encodeAs[T any](c codec.Codec, dst []byte, p *T) (out []byte, err error) {
	err = guard(func() error {
		out, err = codec.AppendPointer(c, dst, p)
		return err
	})
	return out, err
}

// marshal is c.Marshal, guarded.
func marshal(c codec.Codec, v any) (out []byte, err error) {
	err = guard(func() error {
		out, err = c.Marshal(v)
		return err
	})
	return out, err
}

// decodeAs decodes data with c into a new T.
func decodeAs[T any](c codec.Codec, data []byte) (v T, err error) {
	err = guard(func() error { return c.Unmarshal(data, &v) })
	return v, err
}

// requireNoPanic fails the check if err is a panic.
func requireNoPanic(t tb, what string, data []byte, err error) {
	t.Helper()
	var p *panicked
	if errors.As(err, &p) {
		t.Fatalf("%s % x: %v", what, head(data), err)
	}
}

// requireRefused fails the check unless err is the clear refusal netchan
// needs: an error wrapping codec.ErrUnsupported that names each of names.
func requireRefused(t tb, what string, err error, names ...string) {
	t.Helper()
	requireNoPanic(t, what, nil, err)
	switch {
	case err == nil:
		t.Fatalf("%s: encoded, want an error wrapping codec.ErrUnsupported", what)
	case !errors.Is(err, codec.ErrUnsupported):
		t.Fatalf("%s: the error does not wrap codec.ErrUnsupported: %v", what, err)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Fatalf("%s: the error does not name %s, the part at fault: %v", what, n, err)
		}
	}
}

// head returns the start of data, enough to recognise it in a message.
func head(data []byte) []byte { return data[:min(len(data), 32)] }
