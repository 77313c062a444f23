package conn

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"net"

	"github.com/netchan/netchan/internal/wire"
)

// exporterLabel names netchan's use of the TLS session's exported keying
// material (RFC 8446, section 7.5).
const exporterLabel = "EXPORTER-netchan-secret-proof"

// proof returns what the end with the given role sends to prove it knows
// secret: an HMAC of keying material unique to this TLS session. A party in
// the middle holds two sessions with different material, so a proof it
// relays from one side does not fit the other.
func proof(secret []byte, nc net.Conn, role wire.Role) ([]byte, error) {
	tc, ok := nc.(*tls.Conn)
	if !ok {
		return nil, fmt.Errorf("%w: a shared secret needs TLS", ErrAuth)
	}
	st := tc.ConnectionState()
	ekm, err := st.ExportKeyingMaterial(exporterLabel, nil, 32)
	if err != nil {
		return nil, fmt.Errorf("%w: exporting TLS keying material: %w", ErrAuth, err)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte{byte(role)})
	m.Write(ekm)
	return m.Sum(nil), nil
}

func proofEqual(got, want []byte) bool { return hmac.Equal(got, want) }
