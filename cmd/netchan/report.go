package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/netchan/netchan"
)

// reporter writes what the user should know to stderr, one line at a
// time from any goroutine, and counts the errors among it: any error
// makes the exit status 1.
type reporter struct {
	mu     sync.Mutex
	w      io.Writer
	errors int
}

// say writes a line of information.
func (r *reporter) say(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, "netchan: "+format+"\n", args...)
}

// fail writes an error and counts it. netchan's own errors already start
// with "netchan: ".
func (r *reporter) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors++
	fmt.Fprintln(r.w, errorLine(err))
}

// errorLine returns err as a line for stderr, prefixed once with
// "netchan: ", which netchan's own errors already start with.
func errorLine(err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "netchan: ") {
		return msg
	}
	return "netchan: " + msg
}

// failed reports whether any error was written.
func (r *reporter) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errors > 0
}

// onError returns the netchan.OnError function of a session carrying
// values of T: a value that was not delivered is shown with its error, so
// that the user knows which line did not get through. ended, if not nil,
// is called with each error that ended a connection: any other than a
// value not delivered or not decoded, which netchan skips.
func onError[T any](r *reporter, f format[T], ended func(error)) func(error) {
	return func(err error) {
		var u *netchan.UndeliveredError[T]
		undelivered := errors.As(err, &u)
		if undelivered {
			err = fmt.Errorf("%w: %s", err, valueText(f, u.Value))
		}
		r.fail(err)
		if ended != nil && !undelivered && !errors.Is(err, netchan.ErrDecode) {
			ended(err)
		}
	}
}

// valueText returns v as it would print, without the newline, and cut
// short if it is long: enough to tell which line it was, and a value too
// large to send does not flood the terminal.
func valueText[T any](f format[T], v T) string {
	var b bytes.Buffer
	if err := f.print(&b, v); err != nil {
		return fmt.Sprintf("(a value that does not print: %v)", err)
	}
	text := strings.TrimSuffix(b.String(), "\n")
	if len(text) <= maxValueText {
		return text
	}
	cut := maxValueText
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", text[:cut], len(text))
}

// maxValueText is how much of a value an error message shows.
const maxValueText = 200
