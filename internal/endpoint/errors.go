package endpoint

import "errors"

// Errors about values, as opposed to connections (for those, see the
// sentinels of package conn, which the root package re-exports).
var (
	// ErrEncode: the codec could not encode a value; nothing was sent.
	ErrEncode = errors.New("netchan: cannot encode value")
	// ErrDecode: the codec could not decode a value that arrived.
	ErrDecode = errors.New("netchan: cannot decode value")
	// ErrSendBroken: an earlier send failed after a stateful codec had
	// encoded its value, so the codec's state and the peer's disagree and
	// later values could not be decoded. The connection must be replaced.
	ErrSendBroken = errors.New("netchan: send side unusable after a failed send with a stateful codec")
)
