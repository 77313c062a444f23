package endpoint

import "fmt"

// UndeliveredError reports a value that was taken from the program but
// could not be sent, so that it is not lost without a word.
type UndeliveredError[T any] struct {
	Value T
	Err   error
}

func (e *UndeliveredError[T]) Error() string {
	return fmt.Sprintf("netchan: value not delivered: %v", e.Err)
}

// Unwrap returns the reason.
func (e *UndeliveredError[T]) Unwrap() error { return e.Err }
