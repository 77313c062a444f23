package natsconn

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is. A broken connection's errors wrap
// ErrBroken and one of ErrLost, ErrDisconnected, ErrUnanswered or
// ErrProtocol, which says why.
var (
	// ErrBroken: the connection broke; its reads and writes fail. A
	// *BrokenError says why and at which end.
	ErrBroken = errors.New("natsconn: connection broken")
	// ErrLost: a NATS message of the connection did not arrive, which its
	// sequence number showed.
	ErrLost = errors.New("natsconn: a message was lost")
	// ErrDisconnected: a nats.Conn the connection runs on lost its server,
	// or was closed.
	ErrDisconnected = errors.New("natsconn: NATS connection lost")
	// ErrUnanswered: the peer acknowledged nothing for too long while
	// messages waited for its answer.
	ErrUnanswered = errors.New("natsconn: the peer does not answer")
	// ErrProtocol: the peer sent a message that breaks natsconn's protocol.
	ErrProtocol = errors.New("natsconn: protocol error")
	// ErrRefused: a listener refused the dial: it is closing, or too many
	// of its connections wait for Accept.
	ErrRefused = errors.New("natsconn: dial refused")
	// ErrNoListener: no listener subscribes to the subject dialed.
	ErrNoListener = errors.New("natsconn: no listener on the subject")
	// ErrPeerClosed: a write after the peer closed the connection.
	ErrPeerClosed = errors.New("natsconn: the peer closed the connection")
)

// BrokenError reports why a connection broke, and whether this end
// noticed it or the peer did and said so.
type BrokenError struct {
	Cause  error // wraps ErrLost, ErrDisconnected, ErrUnanswered or ErrProtocol
	ByPeer bool  // the peer broke the connection and told this end
}

// Error says why the connection broke, and whether the peer broke it.
func (e *BrokenError) Error() string {
	if e.ByPeer {
		return "natsconn: connection broken by the peer: " + e.Cause.Error()
	}
	return "natsconn: connection broken: " + e.Cause.Error()
}

// Unwrap returns ErrBroken and the cause.
func (e *BrokenError) Unwrap() []error { return []error{ErrBroken, e.Cause} }

// reason is why an end broke a connection or refused a dial, as a reset or
// a refusal tells the peer.
type reason byte

const (
	reasonLost         reason = 1
	reasonDisconnected reason = 2
	reasonUnanswered   reason = 3
	reasonProtocol     reason = 4
	reasonClosing      reason = 5 // a refusal: the listener is closing
	reasonBacklog      reason = 6 // a refusal: too many connections wait for Accept
	reasonVersion      reason = 7 // a refusal: the dial's protocol version is unknown
)

// reasonOf picks the reason a reset gives for cause.
func reasonOf(cause error) reason {
	switch {
	case errors.Is(cause, ErrLost):
		return reasonLost
	case errors.Is(cause, ErrDisconnected):
		return reasonDisconnected
	case errors.Is(cause, ErrUnanswered):
		return reasonUnanswered
	}
	return reasonProtocol
}

// err is the error this end reports for a reason the peer gave.
func (r reason) err() error {
	switch r {
	case reasonLost:
		return ErrLost
	case reasonDisconnected:
		return ErrDisconnected
	case reasonUnanswered:
		return ErrUnanswered
	case reasonProtocol:
		return ErrProtocol
	case reasonClosing:
		return fmt.Errorf("%w: the listener is closing", ErrRefused)
	case reasonBacklog:
		return fmt.Errorf("%w: too many connections wait for the listener's Accept", ErrRefused)
	case reasonVersion:
		return fmt.Errorf("%w: the listener speaks another version of natsconn's protocol", ErrRefused)
	}
	return fmt.Errorf("%w: unknown reason %d", ErrProtocol, r)
}
