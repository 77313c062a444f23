package typed

import "github.com/netchan/netchan/internal/endpoint"

// Errors about values, as opposed to connections (for those, see the
// sentinels of package netchan, such as netchan.ErrSessionLost).
var (
	// ErrEncode: the codec could not encode a value; nothing was sent.
	ErrEncode = endpoint.ErrEncode
	// ErrDecode: the codec could not decode a value that arrived.
	ErrDecode = endpoint.ErrDecode
	// ErrSendBroken: an earlier send failed after a stateful codec had
	// encoded its value, so the codec's state and the peer's disagree and
	// later values could not be decoded. The connection must be replaced.
	ErrSendBroken = endpoint.ErrSendBroken
)

// UndeliveredError reports a value that was taken from the program but
// could not be delivered, so that it is not lost without a word: one the
// connection failed to send, or one the peer had not acknowledged when its
// session was lost, whose fate is unknown. Its field Value holds the value,
// and Err, which Unwrap returns, says why.
type UndeliveredError[T any] = endpoint.UndeliveredError[T]
