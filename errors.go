package netchan

import (
	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/options"
)

// Errors, for errors.Is. Those of the transport are the same values as
// package conn's of the same names, and ErrEncode, ErrDecode and
// ErrSendBroken as package typed's; all are gathered here for users of the
// channel API.
var (
	ErrNoTrust       = conn.ErrNoTrust          // no WithTLS, WithSecret or Insecure
	ErrUnverified    = conn.ErrUnverified       // a TLS configuration that verifies nothing
	ErrHandshake     = conn.ErrHandshake        // the two ends did not agree to talk
	ErrCodecMismatch = conn.ErrCodecMismatch    // the two ends use different codecs
	ErrAuth          = conn.ErrAuth             // the peer did not prove the shared secret
	ErrProtocol      = conn.ErrProtocol         // the peer broke the protocol
	ErrTooLarge      = conn.ErrTooLarge         // a value above the receiver's size limit
	ErrLimit         = conn.ErrLimit            // a limit exceeded: by the peer, or by a value refused at this end
	ErrClosed        = conn.ErrClosed           // use of a closed connection or listener
	ErrSendClosed    = conn.ErrSendClosed       // a send after CloseSend
	ErrConnLost      = conn.ErrConnLost         // the connection broke before both ends were done
	ErrPeerClosed    = conn.ErrPeerClosed       // the peer closed before this end was done
	ErrSessionLost   = conn.ErrSessionLost      // the session could not resume after its connection broke
	ErrTypeMismatch  = conn.ErrTypeMismatch     // the two ends carry types that cannot be the same
	ErrEncode        = endpoint.ErrEncode       // a value the codec could not encode
	ErrDecode        = endpoint.ErrDecode       // a value that arrived and could not be decoded
	ErrSendBroken    = endpoint.ErrSendBroken   // a stateful codec out of step after a failed send
	ErrStalled       = endpoint.ErrStalled      // a broadcast listener's client held the others back too long
	ErrBroadcastOnly = options.ErrBroadcastOnly // Broadcast or WithStallTimeout where they do not apply
	ErrChanInUse     = endpoint.ErrChanInUse    // a channel sent in a value while netchan carries it already
)

// UndeliveredError reports, through OnError, a value the program sent on a
// channel that netchan could not deliver. Its field Value holds the value,
// and Err, which Unwrap returns, says why; errors.As finds it:
//
//	var u *netchan.UndeliveredError[Job]
//	if errors.As(err, &u) {
//		retry = append(retry, u.Value)
//	}
type UndeliveredError[T any] = endpoint.UndeliveredError[T]

// StallError reports, through OnError, a client a broadcast listener cut
// because it held the others back (see WithStallTimeout). Its fields are
// Addr, the client's address; Values, how many values sent to it it did
// not take; and Timeout, the stall timeout. It wraps ErrStalled:
//
//	var s *netchan.StallError
//	if errors.As(err, &s) {
//		log.Printf("%s was cut, %d values not taken", s.Addr, s.Values)
//	}
type StallError = endpoint.StallError
