// Package testkit holds helpers for netchan's tests: trust material made in
// memory, loopback listeners, polling with a deadline in place of sleeps,
// parties in the middle of a connection, a Proxy that breaks connections
// on command, and programs run as processes of their own.
package testkit

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/certs"
)

// Trust is a certificate authority with a server and a client configuration
// that trust it, for 127.0.0.1 and localhost.
type Trust struct {
	CA     *certs.CA
	Server *tls.Config // the listener's certificate
	Client *tls.Config // trusts the CA
	// MutualServer requires a client certificate from the CA;
	// MutualClient presents one.
	MutualServer *tls.Config
	MutualClient *tls.Config
}

// NewTrust makes fresh trust material; it fails the test on error.
func NewTrust(tb testing.TB) *Trust {
	tb.Helper()
	ca, err := certs.NewCA("netchan test CA")
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := ca.Server("127.0.0.1", "localhost", "::1")
	if err != nil {
		tb.Fatal(err)
	}
	cli, err := ca.Client("netchan test client")
	if err != nil {
		tb.Fatal(err)
	}
	return &Trust{
		CA:     ca,
		Server: &tls.Config{Certificates: []tls.Certificate{srv}},
		Client: &tls.Config{RootCAs: ca.Pool()},
		MutualServer: &tls.Config{
			Certificates: []tls.Certificate{srv},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    ca.Pool(),
		},
		MutualClient: &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{cli}},
	}
}

// Loopback returns a TCP listener on 127.0.0.1 with a free port. The caller
// hands it to netchan (which then owns it) or closes it.
func Loopback(tb testing.TB) net.Listener {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// Patience is how long a test waits for something that should happen: long,
// because a loaded CI machine is slow, and it costs nothing when things work.
const Patience = 20 * time.Second

// Settle is how long a test waits to see that something does not happen,
// such as a send that must block. A slow machine can only make such a check
// pass for the right reason if the check is written so that the thing, had
// it been allowed, would have happened by then on an idle machine.
const Settle = 50 * time.Millisecond

// Eventually polls cond until it holds, failing the test after Patience.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(Patience)
	for wait := time.Millisecond; !cond(); wait = min(2*wait, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s after %v", what, Patience)
		}
		time.Sleep(wait)
	}
}

// Recv receives from ch, failing the test if nothing comes within Patience.
func Recv[T any](tb testing.TB, ch <-chan T) (T, bool) {
	tb.Helper()
	select {
	case v, ok := <-ch:
		return v, ok
	case <-time.After(Patience):
		tb.Fatalf("nothing received within %v", Patience)
		var zero T
		return zero, false
	}
}

// Send sends v on ch, failing the test if it blocks for Patience.
func Send[T any](tb testing.TB, ch chan<- T, v T) {
	tb.Helper()
	select {
	case ch <- v:
	case <-time.After(Patience):
		tb.Fatalf("send blocked for %v", Patience)
	}
}

// Blocks reports whether a send of v on ch is still blocked after Settle. If
// it is not, the value was sent.
func Blocks[T any](ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return false
	case <-time.After(Settle):
		return true
	}
}
