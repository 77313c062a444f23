package netchan_test

import (
	"context"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// typed.Conn tells who the peer is: under mutual TLS, the chain the
// listener verified for the client's certificate; on an Insecure()
// connection, the zero state.
func TestConnectionStateNamesThePeer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	trust := testkit.NewTrust(t)
	for _, tc := range []struct {
		name           string
		listen, dial   netchan.Option
		wantClientCert string // the client's certificate as the listener verified it; "" for none
	}{
		{"mutual TLS", netchan.WithTLS(trust.MutualServer), netchan.WithTLS(trust.MutualClient), "netchan test client"},
		{"insecure", netchan.Insecure(), netchan.Insecure(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln := testkit.Loopback(t)
			l, err := typed.Listen[int](ctx, "", netchan.WithListener(ln), tc.listen)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			d, err := typed.Dial[int](ctx, ln.Addr().String(), tc.dial)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			c, err := l.Accept(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			st := c.ConnectionState()
			if tc.wantClientCert == "" {
				if st.HandshakeComplete || len(st.PeerCertificates) != 0 || st.Version != 0 {
					t.Fatalf("state of an Insecure() connection: %+v; want the zero value", st)
				}
				return
			}
			if len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) < 2 {
				t.Fatalf("verified chains %d; want the client's certificate and its CA", len(st.VerifiedChains))
			}
			chain := st.VerifiedChains[0]
			if leaf, root := chain[0], chain[len(chain)-1]; leaf.Subject.CommonName != tc.wantClientCert || root.Subject.CommonName != "netchan test CA" {
				t.Fatalf("verified chain %q to %q; want %q to the test CA", leaf.Subject.CommonName, root.Subject.CommonName, tc.wantClientCert)
			}
		})
	}
}
