package msgpack

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// ErrDecoderPanic is wrapped by the error Unmarshal returns when the
// MessagePack library panics on an input. v5.4.1 does on a nil where a
// time.Time is expected (a field, an element of a slice, array or map),
// which an honest peer whose type has a *time.Time there sends whenever
// the pointer is nil, since the handshake lets the two types meet; and on
// an array or a map as a key of a map[any]any inside the value. The error
// carries the panic's message.
//
// A panic raised in the program's own code, such as a type's
// DecodeMsgpack or UnmarshalBinary method, is not turned into an error: it
// is a bug, and netchan raises it where the value is received.
var ErrDecoderPanic = errors.New("netchan: msgpack: the decoder panicked on this input")

// libraryPackage is the prefix of the library's function names in a stack.
const libraryPackage = "github.com/vmihailenco/msgpack/v5."

// recoverLibrary turns r, a recovered panic the library raised, into an
// error wrapping ErrDecoderPanic, in *err, and reports whether there was
// one. Any other panic is raised again. It must run inside the deferred
// function that recovered r, while the panicking frames are still on the
// stack.
func recoverLibrary(r any, err *error) bool {
	if r == nil {
		return false
	}
	if !raisedInLibrary() {
		panic(r)
	}
	*err = fmt.Errorf("%w: %v", ErrDecoderPanic, r)
	return true
}

// raisedInLibrary reports whether the panic being recovered was raised in
// the library: whether the first function below the panic, past those of
// the runtime and reflect, through which the library fails, is the
// library's. The panicking frames are still on the stack while deferred
// functions run.
func raisedInLibrary() bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !underneath(f.Function):
			return strings.HasPrefix(f.Function, libraryPackage)
		}
		if !more {
			return false
		}
	}
}

// underneath reports whether fn is the runtime's or reflect's.
func underneath(fn string) bool {
	for _, p := range []string{"runtime.", "internal/runtime/", "reflect."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}
