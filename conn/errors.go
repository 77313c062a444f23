package conn

import (
	"errors"
	"fmt"
	"strings"

	"github.com/netchan/netchan/internal/wire"
)

// Sentinel errors. Every error a connection returns wraps one of these, so
// callers test them with errors.Is.
var (
	// ErrNoTrust: neither TLS, nor a shared secret, nor Insecure was chosen.
	ErrNoTrust = errors.New("netchan: no trust configured: use WithTLS(cfg) to verify certificates, WithSecret(s) to share a secret, or Insecure() for plaintext on a network you trust")
	// ErrUnverified: the TLS configuration would accept any server certificate.
	ErrUnverified = errors.New("netchan: TLS configuration skips verification (InsecureSkipVerify without VerifyConnection or VerifyPeerCertificate); netchan does not allow an unverified peer")
	// ErrHandshake: the two ends did not agree to talk.
	ErrHandshake = errors.New("netchan: handshake failed")
	// ErrCodecMismatch: the two ends use different codecs.
	ErrCodecMismatch = errors.New("netchan: codec mismatch")
	// ErrAuth: the peer could not prove it knows the shared secret.
	ErrAuth = errors.New("netchan: authentication failed")
	// ErrProtocol: the peer broke the protocol.
	ErrProtocol = errors.New("netchan: protocol error")
	// ErrTooLarge: a value is larger than the receiving end accepts.
	ErrTooLarge = errors.New("netchan: value too large")
	// ErrLimit: the peer exceeded a limit, which ends the session; or a
	// stream or a value this end would send would exceed one of the
	// peer's, which it refuses, the session going on.
	ErrLimit = errors.New("netchan: limit exceeded")
	// ErrClosed: the connection or listener was closed by this end.
	ErrClosed = errors.New("netchan: use of closed connection")
	// ErrSendClosed: a send after CloseSend.
	ErrSendClosed = errors.New("netchan: send on closed channel")
	// ErrConnLost: the connection broke before both ends were done.
	ErrConnLost = errors.New("netchan: connection lost")
	// ErrOwnInbox: Stream.Next on a stream whose values go to an Inbox
	// from Config.Inbox, which is where they must be received.
	ErrOwnInbox = errors.New("netchan: the stream's values go to its own Inbox")
	// ErrPeerClosed: the peer closed the connection before this end was done.
	ErrPeerClosed = errors.New("netchan: peer closed the connection")
	// ErrSessionLost: the session could not be resumed after its
	// connection broke: the resume window passed, or the listener no
	// longer holds the session (it restarted, or ended it). What the peer
	// had not acknowledged may or may not have reached its program.
	ErrSessionLost = errors.New("netchan: session lost")
	// ErrTypeMismatch: the two ends carry values of types that cannot be
	// the same.
	ErrTypeMismatch = errors.New("netchan: type mismatch")
)

// timeoutError is a deadline that passed; it satisfies net.Error.
type timeoutError struct{ what string }

func (e *timeoutError) Error() string   { return "netchan: " + e.what + " timed out" }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// codeOf picks the GoAway code that tells the peer why this end stops.
func codeOf(err error) wire.Code {
	switch {
	case err == nil, errors.Is(err, ErrClosed), errors.Is(err, ErrPeerClosed):
		return wire.CodeNormal
	case errors.Is(err, ErrHandshake), errors.Is(err, ErrAuth), errors.Is(err, ErrCodecMismatch), errors.Is(err, ErrTypeMismatch):
		return wire.CodeRefused
	case errors.Is(err, ErrLimit), errors.Is(err, ErrTooLarge):
		return wire.CodeLimit
	case errors.Is(err, ErrSessionLost):
		return wire.CodeSessionLost
	}
	return wire.CodeProtocol
}

// withPeer makes err name the peer it is about, at addr (host:port), unless
// it does already: a listener's errors come from many clients.
func withPeer(err error, addr string) error {
	if err == nil || addr == "" || strings.Contains(err.Error(), addr) {
		return err
	}
	return fmt.Errorf("%w (peer %s)", err, addr)
}
