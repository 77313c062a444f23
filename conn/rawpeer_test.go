package conn

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// rawPeer is the far end of a session, written by hand over loopback: it
// completes the handshake as an honest end would, then writes whatever
// frames a test scripts, right or wrong, and reads what the Session sends.
// It is a dialer or a listener, in plaintext or TLS.
type rawPeer struct {
	t        testing.TB
	role     wire.Role // the raw peer's own
	cfg      *Config   // what the raw peer offers
	raw      net.Conn  // the TCP connection
	nc       net.Conn  // raw, or TLS over it
	local    wire.Hello
	remote   wire.Hello // the Session's hello
	secret   []byte     // the session's secret, as the raw peer derives it
	received uint64     // bytes of numbered frames read
}

// frame is one frame as the raw peer read it.
type frame struct {
	wire.Header
	Payload []byte
}

func frameBytes(kind wire.Kind, stream uint32, payload []byte) []byte {
	b := wire.AppendHeader(nil, wire.Header{Length: uint32(len(payload)), Kind: kind, Stream: stream})
	return append(b, payload...)
}

func helloFrame(h wire.Hello) []byte {
	return frameBytes(wire.KindHello, 0, wire.AppendHello(nil, h))
}

func dataFrame(stream uint32, seq uint64, value string) []byte {
	return frameBytes(wire.KindData, stream, append(wire.AppendDataPrefix(nil, seq), value...))
}

func countFrame(kind wire.Kind, stream uint32, n uint64) []byte {
	return frameBytes(kind, stream, wire.AppendCount(nil, n))
}

func openFrame(stream uint32, capacity uint64, meta string) []byte {
	return frameBytes(wire.KindOpen, stream, wire.AppendOpen(nil, wire.Open{Capacity: capacity, Meta: []byte(meta)}))
}

func goAwayFrame(code wire.Code, reason string) []byte {
	return frameBytes(wire.KindGoAway, 0, wire.AppendGoAway(nil, wire.GoAway{Code: code, Reason: reason}))
}

// header is a frame header alone, claiming a payload of length bytes.
func header(kind wire.Kind, stream uint32, length uint32) []byte {
	return wire.AppendHeader(nil, wire.Header{Length: length, Kind: kind, Stream: stream})
}

// honestHello is the hello an end of cfg in role sends, without the
// fields that depend on the connection: proof, session, MAC, nonce.
func honestHello(cfg *Config, role wire.Role) wire.Hello {
	return wire.Hello{
		Version:    wire.Version,
		Role:       role,
		Codec:      cfg.Codec,
		Capacity:   uint64(cfg.Capacity),
		MaxValue:   uint64(cfg.MaxValue),
		Idle:       uint64(cfg.IdleTimeout.Milliseconds()),
		Window:     uint64(cfg.ResumeWindow.Milliseconds()),
		MaxStreams: uint64(cfg.MaxStreams),
		TypeName:   cfg.TypeName,
		TypeShape:  cfg.TypeShape,
	}
}

// dialRaw connects a raw dialer of pcfg to addr and secures the connection
// as pcfg says, offering the ALPN protocols alpn (netchan/2 if none). It
// sends no hello.
func dialRaw(t testing.TB, addr string, pcfg *Config, alpn ...string) (*rawPeer, error) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, testkit.Patience)
	if err != nil {
		return nil, err
	}
	p := &rawPeer{t: t, role: wire.RoleDialer, cfg: pcfg, raw: raw, nc: raw}
	t.Cleanup(p.close)
	if pcfg.TLS != nil {
		tc := pcfg.TLS.Clone()
		tc.NextProtos = []string{ALPN}
		if len(alpn) > 0 {
			tc.NextProtos = alpn
		}
		tc.ServerName = "127.0.0.1"
		c := tls.Client(raw, tc)
		_ = raw.SetDeadline(time.Now().Add(testkit.Patience))
		if err := c.Handshake(); err != nil {
			return nil, err
		}
		_ = raw.SetDeadline(time.Time{})
		p.nc = c
	}
	return p, nil
}

// acceptRaw accepts a connection on nl as a raw listener of pcfg, and
// secures it as pcfg says. It reads nothing.
func acceptRaw(t testing.TB, nl net.Listener, pcfg *Config, alpn ...string) (*rawPeer, error) {
	t.Helper()
	raw, err := nl.Accept()
	if err != nil {
		return nil, err
	}
	p := &rawPeer{t: t, role: wire.RoleListener, cfg: pcfg, raw: raw, nc: raw}
	t.Cleanup(p.close)
	if pcfg.TLS != nil {
		tc := pcfg.TLS.Clone()
		tc.NextProtos = []string{ALPN}
		if len(alpn) > 0 {
			tc.NextProtos = alpn
		}
		c := tls.Server(raw, tc)
		_ = raw.SetDeadline(time.Now().Add(testkit.Patience))
		if err := c.Handshake(); err != nil {
			return nil, err
		}
		_ = raw.SetDeadline(time.Time{})
		p.nc = c
	}
	return p, nil
}

// hello returns the hello an honest raw peer sends on its connection: with
// its proof if it has a secret, and a nonce, or a session id if it is a
// listener.
func (p *rawPeer) hello() wire.Hello {
	p.t.Helper()
	h := honestHello(p.cfg, p.role)
	if p.cfg.Secret != nil {
		var err error
		if h.Proof, err = proof(p.cfg.Secret, p.nc, p.role); err != nil {
			p.t.Fatal(err)
		}
	}
	h.Nonce = random(wire.NonceSize)
	if p.role == wire.RoleListener {
		h.Session = random(wire.SessionIDSize)
	}
	return h
}

// sendHello sends h as the raw peer's hello and keeps it.
func (p *rawPeer) sendHello(h wire.Hello) {
	p.t.Helper()
	p.local = h
	p.write(helloFrame(h))
}

// readHello reads the Session's hello, or its refusal as a *GoAwayError.
func (p *rawPeer) readHello() (wire.Hello, error) {
	p.t.Helper()
	f, err := p.tryRead()
	if err != nil {
		return wire.Hello{}, err
	}
	switch f.Kind {
	case wire.KindGoAway:
		g, err := wire.ParseGoAway(f.Payload)
		if err != nil {
			return wire.Hello{}, err
		}
		return wire.Hello{}, &GoAwayError{Code: g.Code, Reason: g.Reason}
	case wire.KindHello:
	default:
		return wire.Hello{}, fmt.Errorf("a %s frame where a hello belongs", f.Kind)
	}
	if f.Stream != 0 {
		return wire.Hello{}, fmt.Errorf("a hello on stream %d", f.Stream)
	}
	h, err := wire.ParseHello(f.Payload)
	if err != nil {
		return h, err
	}
	p.remote = h
	return h, nil
}

// deriveSecret derives the session's secret from the two hellos, as both
// ends of a new session do.
func (p *rawPeer) deriveSecret() {
	p.t.Helper()
	dialer, listener := p.local, p.remote
	if p.role == wire.RoleListener {
		dialer, listener = p.remote, p.local
	}
	var err error
	if p.secret, err = sessionSecret(p.nc, dialer, listener); err != nil {
		p.t.Fatal(err)
	}
}

// write sends bytes; a failure fails the test, since the Session should
// be reading.
func (p *rawPeer) write(b ...[]byte) {
	p.t.Helper()
	for _, f := range b {
		_ = p.nc.SetWriteDeadline(time.Now().Add(testkit.Patience))
		if _, err := p.nc.Write(f); err != nil {
			p.t.Fatalf("raw peer write: %v", err)
		}
	}
}

// tryWrite sends bytes and reports whether they went: a Session that
// refuses a frame may close the connection before it read the next.
func (p *rawPeer) tryWrite(b ...[]byte) bool {
	for _, f := range b {
		_ = p.nc.SetWriteDeadline(time.Now().Add(testkit.Patience))
		if _, err := p.nc.Write(f); err != nil {
			return false
		}
	}
	return true
}

// read reads the next frame, failing the test if none comes in time.
func (p *rawPeer) read() frame {
	p.t.Helper()
	f, err := p.tryRead()
	if err != nil {
		p.t.Fatalf("raw peer read: %v", err)
	}
	return f
}

// tryRead reads the next frame within Patience, counting the bytes of
// numbered ones.
func (p *rawPeer) tryRead() (frame, error) {
	_ = p.nc.SetReadDeadline(time.Now().Add(testkit.Patience))
	var hdr [wire.HeaderSize]byte
	if _, err := io.ReadFull(p.nc, hdr[:]); err != nil {
		return frame{}, err
	}
	h, err := wire.ParseHeader(hdr[:])
	if err != nil {
		return frame{}, err
	}
	if h.Length > 1<<20 {
		return frame{}, fmt.Errorf("raw peer: a %s frame of %d bytes is more than a test expects", h.Kind, h.Length)
	}
	f := frame{Header: h, Payload: make([]byte, h.Length)}
	if _, err := io.ReadFull(p.nc, f.Payload); err != nil {
		return frame{}, err
	}
	if h.Kind.Numbered() {
		p.received += uint64(wire.HeaderSize) + uint64(h.Length)
	}
	return f, nil
}

// expect reads frames until one of kind, skipping acks and pings, which
// a Session sends when it likes, and fails the test on any other.
func (p *rawPeer) expect(kind wire.Kind) frame {
	p.t.Helper()
	for {
		f := p.read()
		switch f.Kind {
		case kind:
			return f
		case wire.KindAck, wire.KindPing:
			continue
		}
		p.t.Fatalf("raw peer: got a %s frame on stream %d, want %s", f.Kind, f.Stream, kind)
	}
}

// expectCount reads the next frame of kind, which carries a count, on
// stream, and returns the count.
func (p *rawPeer) expectCount(kind wire.Kind, stream uint32) uint64 {
	p.t.Helper()
	f := p.expect(kind)
	n, err := wire.ParseCount(f.Payload, f.Kind)
	if err != nil || f.Stream != stream {
		p.t.Fatalf("raw peer: %s frame on stream %d (%v), want stream %d", kind, f.Stream, err, stream)
	}
	return n
}

// drain reads and drops what the Session writes until the connection
// ends, so that its writer never waits on a peer that only writes. The
// channel then yields the goaway it read, if any, and closes.
func (p *rawPeer) drain() <-chan wire.GoAway {
	got := make(chan wire.GoAway, 1)
	go func() {
		defer close(got)
		for {
			f, err := p.tryRead()
			if err != nil {
				return
			}
			if f.Kind == wire.KindGoAway {
				if g, err := wire.ParseGoAway(f.Payload); err == nil {
					got <- g
				}
				// Read on to the end, as an honest end does.
				_, _ = io.Copy(io.Discard, p.nc)
				return
			}
		}
	}()
	return got
}

// close closes the connection. It is idempotent.
func (p *rawPeer) close() { _ = p.nc.Close(); _ = p.raw.Close() }

// reset ends the connection with a TCP reset.
func (p *rawPeer) reset() {
	if tc, ok := p.raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	p.close()
}

// rawDialer starts a Listener of cfg and a raw dialer of pcfg that
// completes the handshake with it, its hello changed by edit if not nil.
// It returns the Session the Listener accepted and the raw peer; the
// test's cleanup closes both, the peer first.
func rawDialer(t testing.TB, cfg, pcfg *Config, edit func(h *wire.Hello)) (*Session, *rawPeer, *Listener) {
	t.Helper()
	l := serve(t, cfg)
	p, err := dialRaw(t, l.Addr().String(), pcfg)
	if err != nil {
		t.Fatal(err)
	}
	h := p.hello()
	if edit != nil {
		edit(&h)
	}
	p.sendHello(h)
	if _, err := p.readHello(); err != nil {
		t.Fatalf("raw dialer: %v", err)
	}
	p.deriveSecret()
	s, err := l.Accept(patience(t))
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the peer closes, then the Session, which
	// then need not linger for it.
	t.Cleanup(func() { _ = s.Close() })
	t.Cleanup(p.close)
	return s, p, l
}

// rawListener dials, with a Session of cfg, a raw listener of pcfg that
// completes the handshake, its hello changed by edit if not nil. It
// returns the Session and the raw peer; the test's cleanup closes both,
// the peer first.
func rawListener(t testing.TB, cfg, pcfg *Config, edit func(h *wire.Hello)) (*Session, *rawPeer) {
	t.Helper()
	nl := testkit.Loopback(t)
	t.Cleanup(func() { _ = nl.Close() })
	dialed := dialAsync(nl.Addr().String(), cfg)
	p, err := acceptRaw(t, nl, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.readHello(); err != nil {
		t.Fatalf("raw listener: %v", err)
	}
	h := p.hello()
	if edit != nil {
		edit(&h)
	}
	p.sendHello(h)
	p.deriveSecret()
	r, _ := testkit.Recv(t, dialed)
	if r.err != nil {
		t.Fatalf("Dial: %v", r.err)
	}
	t.Cleanup(func() { _ = r.s.Close() })
	t.Cleanup(p.close)
	return r.s, p
}

// dialed is what Dial returned.
type dialed struct {
	s   *Session
	err error
}

// dialAsync dials addr in a goroutine of its own.
func dialAsync(addr string, cfg *Config) <-chan dialed {
	done := make(chan dialed, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		defer cancel()
		s, err := Dial(ctx, addr, cfg)
		done <- dialed{s, err}
	}()
	return done
}

// serve starts a Listener of cfg on loopback, closed when the test ends.
func serve(t testing.TB, cfg *Config) *Listener {
	t.Helper()
	l, err := Serve(testkit.Loopback(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// ended waits for s to end and returns its error.
func ended(t testing.TB, s *Session) error {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(testkit.Patience):
		t.Fatalf("session still open after %v", testkit.Patience)
	}
	return s.Err()
}

// wantErr fails unless err wraps each of targets.
func wantErr(t testing.TB, what string, err error, targets ...error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v", what, targets)
		return
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Errorf("%s: error %v does not wrap %v", what, err, target)
		}
	}
}

// serveErrs is serve, with the errors the Listener reports.
func serveErrs(t testing.TB, cfg *Config) (*Listener, <-chan error) {
	t.Helper()
	errs := collectErrors(cfg)
	return serve(t, cfg), errs
}

// collectErrors makes cfg's OnError hand the errors to the channel it
// returns, which keeps the first few.
func collectErrors(cfg *Config) <-chan error {
	errs := make(chan error, 16)
	cfg.OnError = func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	return errs
}

// goAway reads frames until the Session's goaway and returns it, failing
// the test if the connection ends first.
func (p *rawPeer) goAway() wire.GoAway {
	p.t.Helper()
	for {
		f, err := p.tryRead()
		if err != nil {
			p.t.Fatalf("raw peer: no goaway before %v", err)
		}
		if f.Kind == wire.KindGoAway {
			g, err := wire.ParseGoAway(f.Payload)
			if err != nil {
				p.t.Fatal(err)
			}
			return g
		}
	}
}

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
