package conn

import (
	"fmt"

	"github.com/netchan/netchan/internal/wire"
)

// GoAwayCode is the code a peer's goaway frame carries: why it ended the
// session or refused a handshake (PROTOCOL.md, section 10.3). A later
// version of the protocol may send codes not listed here; a GoAwayError
// reports an unknown code as the peer closing.
type GoAwayCode uint64

// The goaway codes, with the sentinel a GoAwayError carrying each unwraps
// to.
const (
	// GoAwayNormal: the peer's program ended the session (ErrPeerClosed).
	GoAwayNormal = GoAwayCode(wire.CodeNormal)
	// GoAwayProtocol: this end broke the protocol, as the peer saw it
	// (ErrProtocol).
	GoAwayProtocol = GoAwayCode(wire.CodeProtocol)
	// GoAwayRefused: the peer refused the handshake or a resume: version,
	// role, codec, type, proof, or a resume's checks (ErrHandshake).
	GoAwayRefused = GoAwayCode(wire.CodeRefused)
	// GoAwayLimit: this end exceeded one of the peer's limits: value size,
	// open streams, a stream's capacity, connection count (ErrLimit).
	GoAwayLimit = GoAwayCode(wire.CodeLimit)
	// GoAwaySessionLost: the listener does not hold the session a resume
	// named: it restarted, or the session ended (ErrSessionLost).
	GoAwaySessionLost = GoAwayCode(wire.CodeSessionLost)
)

// String names the code as PROTOCOL.md does, or gives its number if it is
// not one of the above.
func (c GoAwayCode) String() string { return wire.Code(c).String() }

// GoAwayError reports the reason a peer gave for ending the connection.
type GoAwayError struct {
	Code   GoAwayCode // why, as the peer classified it
	Reason string     // the peer's words, for people; at most 256 bytes
}

// goAwayError is the error for the goaway g a peer sent.
func goAwayError(g wire.GoAway) *GoAwayError {
	return &GoAwayError{Code: GoAwayCode(g.Code), Reason: g.Reason}
}

// Error gives the peer's code and reason.
func (e *GoAwayError) Error() string {
	return fmt.Sprintf("netchan: peer ended the connection (%s): %s", e.Code, e.Reason)
}

// Unwrap classifies the peer's reason among the sentinels: ErrProtocol,
// ErrHandshake, ErrLimit, ErrSessionLost, or ErrPeerClosed for
// GoAwayNormal and for a code this version does not know.
func (e *GoAwayError) Unwrap() error {
	switch e.Code {
	case GoAwayProtocol:
		return ErrProtocol
	case GoAwayRefused:
		return ErrHandshake
	case GoAwayLimit:
		return ErrLimit
	case GoAwaySessionLost:
		return ErrSessionLost
	}
	return ErrPeerClosed
}
