package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// trustCase is one way to secure a test's connections: the command's
// arguments and environment, and the options of the Go program at the
// other end, which uses the library.
type trustCase struct {
	name                 string
	listenArgs, dialArgs []string
	env                  map[string]string
	server, client       netchan.Option
}

// trustCases returns every kind of trust the command offers, with
// certificates made for the test and written to PEM files.
func trustCases(t *testing.T) []trustCase {
	secret := netchan.NewSecret()
	tr := testkit.NewTrust(t)
	dir := t.TempDir()
	ca := writePEM(t, dir, "ca.pem", "CERTIFICATE", tr.Server.Certificates[0].Certificate[1])
	srvCert, srvKey := writeKeyPair(t, dir, "server", tr.Server.Certificates[0])
	cliCert, cliKey := writeKeyPair(t, dir, "client", tr.MutualClient.Certificates[0])
	return []trustCase{
		{name: "insecure", listenArgs: []string{"-insecure"}, dialArgs: []string{"-insecure"},
			server: netchan.Insecure(), client: netchan.Insecure()},
		{name: "secret flag", listenArgs: []string{"-secret", secret}, dialArgs: []string{"-secret", secret},
			server: netchan.WithSecret(secret), client: netchan.WithSecret(secret)},
		{name: "secret env", env: map[string]string{secretEnv: secret},
			server: netchan.WithSecret(secret), client: netchan.WithSecret(secret)},
		{name: "tls", listenArgs: []string{"-tls-cert", srvCert, "-tls-key", srvKey}, dialArgs: []string{"-tls-ca", ca},
			server: netchan.WithTLS(tr.Server), client: netchan.WithTLS(tr.Client)},
		{name: "mutual tls",
			listenArgs: []string{"-tls-cert", srvCert, "-tls-key", srvKey, "-tls-ca", ca},
			dialArgs:   []string{"-tls-cert", cliCert, "-tls-key", cliKey, "-tls-ca", ca},
			server:     netchan.WithTLS(tr.MutualServer), client: netchan.WithTLS(tr.MutualClient)},
	}
}

// writeKeyPair writes cert's chain and key as PEM files named for name.
func writeKeyPair(t *testing.T, dir, name string, cert tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name+".pem", "CERTIFICATE", cert.Certificate...),
		writePEM(t, dir, name+".key", "PRIVATE KEY", key)
}

// writePEM writes blocks of type typ to dir/name and returns the path.
func writePEM(t *testing.T, dir, name, typ string, blocks ...[]byte) string {
	t.Helper()
	var b strings.Builder
	for _, der := range blocks {
		if err := pem.Encode(&b, &pem.Block{Type: typ, Bytes: der}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
