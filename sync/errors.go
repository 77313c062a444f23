package sync

import "errors"

// Protocol violations a peer can commit against the window. The conn package
// closes the connection when it sees one.
var (
	// ErrOverGrant: the peer granted credit for values that were never sent.
	ErrOverGrant = errors.New("netchan: peer granted more credit than values sent")
	// ErrOverrun: the peer sent more values than it had credit for.
	ErrOverrun = errors.New("netchan: peer sent beyond its credit")
	// ErrSequence: a value arrived out of sequence (lost, repeated or reordered).
	ErrSequence = errors.New("netchan: value out of sequence")
	// ErrAfterClose: the peer sent a value, or closed again, after it closed.
	ErrAfterClose = errors.New("netchan: peer sent after closing")
	// ErrCloseCount: the peer's close frame counts a different number of values
	// than arrived.
	ErrCloseCount = errors.New("netchan: close frame count does not match values received")
)
