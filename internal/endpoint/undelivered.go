package endpoint

import (
	"errors"
	"fmt"
)

// UndeliveredError reports a value that was taken from the program but
// could not be sent, so that it is not lost without a word.
type UndeliveredError[T any] struct {
	Value T
	Err   error
}

// Error gives the reason; the value is left out, since it may be large.
func (e *UndeliveredError[T]) Error() string {
	return fmt.Sprintf("netchan: value not delivered: %v", e.Err)
}

// Unwrap returns the reason.
func (e *UndeliveredError[T]) Unwrap() error { return e.Err }

// UndeliveredValues returns the value of the *UndeliveredError err is, or
// those of each one it joins, in order: what SendFrom and SendLane return
// when values they took could not be sent. It returns nil if err holds
// none.
func UndeliveredValues[T any](err error) []T {
	var vs []T
	EachUndelivered(err, func(_ error, u *UndeliveredError[T]) { vs = append(vs, u.Value) })
	return vs
}

// EachUndelivered calls f with the *UndeliveredError err is, or with each
// one it joins, in order, and with the error that holds it.
func EachUndelivered[T any](err error, f func(e error, u *UndeliveredError[T])) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var u *UndeliveredError[T]
		if errors.As(e, &u) {
			f(e, u)
		}
	}
}
