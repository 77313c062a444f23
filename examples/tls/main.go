// Tls connects a client to a listener by mutual TLS: each end proves itself
// by a certificate from an authority the other trusts. The authority and
// the certificates are made on the fly here; a deployment would load them
// from files with tls.LoadX509KeyPair.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/netchan/netchan"
)

func main() {
	ca := issue("example CA", nil)
	roots := x509.NewCertPool()
	roots.AddCert(ca.Leaf)
	serverTLS := &tls.Config{
		Certificates: []tls.Certificate{issue("server", &ca)},
		ClientAuth:   tls.RequireAndVerifyClientCert, // mutual: clients need a certificate from ca
		ClientCAs:    roots,
	}
	clientTLS := &tls.Config{
		Certificates: []tls.Certificate{issue("client", &ca)},
		RootCAs:      roots,
		ServerName:   "server", // the name the server's certificate must carry
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	_, fromClients, err := netchan.Listen[string](ctx, "localhost:0", netchan.WithTLS(serverTLS),
		netchan.OnListen(func(a net.Addr) { addr <- a.String() }))
	check(err)
	server := <-addr
	send, _, err := netchan.Dial[string](ctx, server, netchan.WithTLS(clientTLS))
	check(err)
	send <- "hello over mutual TLS"
	fmt.Println("the server got:", <-fromClients)

	// A client without a certificate is refused.
	_, _, err = netchan.Dial[string](ctx, server, netchan.WithTLS(&tls.Config{RootCAs: roots, ServerName: "server"}))
	fmt.Println("a client without a certificate is refused:", errors.Is(err, netchan.ErrHandshake))
}

// issue makes a key and a certificate for name, signed by parent, or
// self-signed as an authority if parent is nil.
func issue(name string, parent *tls.Certificate) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		DNSNames:    []string{name},
		NotAfter:    time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	signer, signerKey := tmpl, crypto.Signer(key)
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
	} else {
		signer, signerKey = parent.Leaf, parent.PrivateKey.(crypto.Signer)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	check(err)
	leaf, err := x509.ParseCertificate(der)
	check(err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
