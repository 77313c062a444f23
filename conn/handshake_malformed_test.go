package conn

import (
	"bytes"
	"net"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// Bytes that are no hello, sent to a Listener in its place: refused with
// ErrHandshake, and the Listener goes on accepting.
func TestHandshakeMalformed(t *testing.T) {
	cfg := testConfig()
	hello := helloFrame(honestHello(cfg, wire.RoleDialer))
	withSession := honestHello(cfg, wire.RoleDialer)
	withSession.Session = make([]byte, wire.SessionIDSize)
	shortID := wire.AppendHello(nil, withSession)
	// The session id's length byte follows the type fields: make it 3.
	i := bytes.Index(shortID, append([]byte{wire.SessionIDSize}, make([]byte, wire.SessionIDSize)...))
	shortID = append(append(bytes.Clone(shortID[:i]), 3, 0, 0, 0), shortID[i+1+wire.SessionIDSize:]...)
	l, errs := serveErrs(t, cfg)
	malformed := []error{ErrHandshake, wire.ErrMalformed}
	for name, tc := range map[string]struct {
		b    []byte
		want []error
	}{
		"data before hello":   {dataFrame(MainStream, 0, "v"), nil},
		"hello on stream 1":   {frameBytes(wire.KindHello, 1, hello[wire.HeaderSize:]), nil},
		"oversized hello":     {header(wire.KindHello, 0, wire.MaxHelloSize+1), nil},
		"bad magic":           {frameBytes(wire.KindHello, 0, append([]byte("NETCHAN"), hello[wire.HeaderSize+7:]...)), malformed},
		"trailing bytes":      {frameBytes(wire.KindHello, 0, append(bytes.Clone(hello[wire.HeaderSize:]), 0)), malformed},
		"short session id":    {frameBytes(wire.KindHello, 0, shortID), malformed},
		"unknown kind":        {[]byte{0, 0, 0, 0, 0xEE, 0, 0, 0, 0}, malformed},
		"http request":        {[]byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), malformed},
		"hello cut then EOF":  {hello[:len(hello)-2], nil},
		"header cut then EOF": {hello[:5], nil},
		"nothing then EOF":    {nil, nil},
	} {
		t.Run(name, func(t *testing.T) {
			nc, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			_, _ = nc.Write(tc.b)
			_ = nc.(*net.TCPConn).CloseWrite()
			err, _ = testkit.Recv(t, errs)
			wantErr(t, name, err, append([]error{ErrHandshake}, tc.want...)...)
		})
	}
	// Still accepting.
	s, p, _ := rawDialer(t, cfg, cfg, nil)
	_ = p
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
}

// A listener's answer that is no hello fails Dial with ErrHandshake.
func TestHandshakeMalformedAnswer(t *testing.T) {
	cfg := testConfig()
	for name, answer := range map[string]func(h wire.Hello) []byte{
		"no session id": func(h wire.Hello) []byte {
			h.Session = nil
			return helloFrame(h)
		},
		"no nonce": func(h wire.Hello) []byte {
			h.Nonce = nil
			return helloFrame(h)
		},
		"data": func(wire.Hello) []byte { return dataFrame(MainStream, 0, "v") },
		"oversized goaway": func(wire.Hello) []byte {
			return header(wire.KindGoAway, 0, maxControl+1)
		},
		"truncated": func(h wire.Hello) []byte { return helloFrame(h)[:20] },
	} {
		t.Run(name, func(t *testing.T) {
			nl := testkit.Loopback(t)
			defer nl.Close()
			dialed := dialAsync(nl.Addr().String(), cfg)
			p, err := acceptRaw(t, nl, cfg)
			if err != nil {
				t.Fatal(err)
			}
			drained := p.drain()
			p.write(answer(p.hello()))
			p.close()
			r, _ := testkit.Recv(t, dialed)
			if r.s != nil {
				_ = r.s.Close()
			}
			wantErr(t, name, r.err, ErrHandshake)
			<-drained
		})
	}
}
