package wire

import "errors"

// ErrMalformed is wrapped by every error about bytes that do not follow the
// frame format.
var ErrMalformed = errors.New("netchan: malformed frame")
