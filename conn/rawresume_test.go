package conn

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"fmt"

	"github.com/netchan/netchan/internal/wire"
)

// resumeConn dials addr for a new connection of p's session and returns it
// with the hello that resumes the session on it as resume number counter,
// not yet sent. p is a raw dialer whose session started or resumed.
func (p *rawPeer) resumeConn(addr string, counter uint64) (*rawPeer, wire.Hello) {
	p.t.Helper()
	q, err := dialRaw(p.t, addr, p.cfg)
	if err != nil {
		p.t.Fatal(err)
	}
	q.secret, q.received, q.remote = p.secret, p.received, p.remote
	h := q.hello()
	h.Nonce = nil
	h.Session, h.Counter, h.Received = p.remote.Session, counter, p.received
	if h.MAC, err = resumeMAC(p.secret, q.nc, wire.RoleDialer, h.Session, counter); err != nil {
		p.t.Fatal(err)
	}
	return q, h
}

// resumed reads the listener's answer to q's resume number counter, and
// checks that it proves the listener holds the session.
func (q *rawPeer) resumed(counter uint64) error {
	q.t.Helper()
	id := q.remote.Session
	h, err := q.readHello()
	if err != nil {
		return err
	}
	if !bytes.Equal(h.Session, id) || h.Counter != counter {
		return fmt.Errorf("the listener answered resume %d of %x with %d of %x", counter, id, h.Counter, h.Session)
	}
	want, err := resumeMAC(q.secret, q.nc, wire.RoleListener, id, counter)
	if err != nil {
		return err
	}
	if !hmac.Equal(h.MAC, want) {
		return errors.New("the listener's MAC does not prove it holds the session")
	}
	return nil
}
