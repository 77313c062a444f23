package conn

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net"

	"github.com/netchan/netchan/internal/wire"
)

// Labels of netchan's uses of a TLS connection's exported keying material
// (RFC 8446, section 7.5).
const (
	exporterProof   = "EXPORTER-netchan-secret-proof"
	exporterSession = "EXPORTER-netchan-session"
	exporterResume  = "EXPORTER-netchan-resume"
)

// exported returns 32 bytes of keying material unique to nc's TLS session
// under label, or nil on a plaintext connection.
func exported(nc net.Conn, label string) ([]byte, error) {
	tc, ok := nc.(*tls.Conn)
	if !ok {
		return nil, nil
	}
	st := tc.ConnectionState()
	ekm, err := st.ExportKeyingMaterial(label, nil, 32)
	if err != nil {
		return nil, fmt.Errorf("%w: exporting TLS keying material: %w", ErrAuth, err)
	}
	return ekm, nil
}

// proof returns what the end with the given role sends to prove it knows
// secret: an HMAC of keying material unique to this TLS session. A party in
// the middle holds two sessions with different material, so a proof it
// relays from one side does not fit the other.
func proof(secret []byte, nc net.Conn, role wire.Role) ([]byte, error) {
	ekm, err := exported(nc, exporterProof)
	if err != nil {
		return nil, err
	}
	if ekm == nil {
		return nil, fmt.Errorf("%w: a shared secret needs TLS", ErrAuth)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte{byte(role)})
	m.Write(ekm)
	return m.Sum(nil), nil
}

// sessionSecret returns the secret that keys a session's resume proofs,
// which both ends derive from the connection that started the session and
// never send. Over TLS it is keying material of that TLS session, known to
// the two ends alone. In plaintext it derives from the two hellos' nonces,
// which anyone who saw the traffic knows: such a session is no better
// protected than its plaintext.
func sessionSecret(nc net.Conn, dialer, listener wire.Hello) ([]byte, error) {
	ekm, err := exported(nc, exporterSession)
	if err != nil || ekm != nil {
		return ekm, err
	}
	h := sha256.New()
	h.Write([]byte("netchan plaintext session"))
	h.Write(dialer.Nonce)
	h.Write(listener.Nonce)
	return h.Sum(nil), nil
}

// resumeMAC returns what the end with the given role sends, in a hello on
// nc, to prove it holds the session: an HMAC, keyed by the session's
// secret, of the session id, the resume's number, and keying material of
// nc's own TLS session. A hello replayed on another connection does not
// fit it, and one replayed on any connection carries a number already used.
func resumeMAC(secret []byte, nc net.Conn, role wire.Role, id []byte, counter uint64) ([]byte, error) {
	ekm, err := exported(nc, exporterResume)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("netchan resume"))
	m.Write([]byte{byte(role)})
	m.Write(id)
	m.Write(binary.BigEndian.AppendUint64(nil, counter))
	m.Write(ekm)
	return m.Sum(nil), nil
}
