package conn

import (
	"errors"
	"io"
	"testing"

	"github.com/netchan/netchan/internal/wire"
)

// noResume is testConfig with resume off: a cut ends the session.
func noResume() *Config {
	cfg := testConfig()
	cfg.ResumeWindow = 0
	return cfg
}

// A connection that ends inside a frame, or between frames, was lost: with
// resume off, the session ends with ErrConnLost.
func TestTruncated(t *testing.T) {
	f := dataFrame(MainStream, 0, "0123456789")
	for name, b := range map[string][]byte{
		"frame":          f[:wire.HeaderSize+3],
		"header":         f[:4],
		"between frames": f,
	} {
		t.Run(name, func(t *testing.T) {
			s, p, _ := rawDialer(t, noResume(), noResume(), nil)
			bye := p.drain()
			p.write(b)
			_ = p.raw.(interface{ CloseWrite() error }).CloseWrite()
			err := ended(t, s)
			wantErr(t, name, err, ErrConnLost, io.ErrUnexpectedEOF)
			<-bye
		})
	}
}

// The peer's goaway ends the session with the peer's code and reason.
func TestPeerGoAway(t *testing.T) {
	for _, tc := range []struct {
		code wire.Code
		want error
	}{
		{wire.CodeNormal, ErrPeerClosed},
		{4, ErrPeerClosed},
		{wire.CodeLimit, ErrLimit},
		{wire.CodeProtocol, ErrProtocol},
		{wire.CodeSessionLost, ErrSessionLost},
		{99, ErrPeerClosed},
	} {
		t.Run(tc.code.String(), func(t *testing.T) {
			s, p, _ := rawDialer(t, testConfig(), testConfig(), nil)
			bye := p.drain()
			p.write(goAwayFrame(tc.code, "the reason"))
			_ = p.raw.(interface{ CloseWrite() error }).CloseWrite()
			err := ended(t, s)
			wantErr(t, tc.code.String(), err, tc.want)
			var g *GoAwayError
			if tc.want != ErrPeerClosed && (!errors.As(err, &g) || g.Code != GoAwayCode(tc.code) || g.Reason != "the reason") {
				t.Errorf("error %v, want a GoAwayError with the peer's code and reason", err)
			}
			// This end says goodbye too, before it closes.
			if _, ok := <-bye; !ok {
				t.Error("no goaway in answer")
			}
		})
	}
}
