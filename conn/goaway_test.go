package conn

import (
	"errors"
	"testing"

	"github.com/netchan/netchan/internal/wire"
)

// Each exported code is the number the wire carries for it, and is named
// and classified as PROTOCOL.md's table of codes says.
func TestGoAwayCodes(t *testing.T) {
	for _, tc := range []struct {
		code GoAwayCode
		wire wire.Code
		want error
	}{
		{GoAwayNormal, wire.CodeNormal, ErrPeerClosed},
		{GoAwayProtocol, wire.CodeProtocol, ErrProtocol},
		{GoAwayRefused, wire.CodeRefused, ErrHandshake},
		{GoAwayLimit, wire.CodeLimit, ErrLimit},
		{GoAwaySessionLost, wire.CodeSessionLost, ErrSessionLost},
		{4, 4, ErrPeerClosed},
		{1 << 40, 1 << 40, ErrPeerClosed},
	} {
		if uint64(tc.code) != uint64(tc.wire) {
			t.Errorf("%s is %d, the wire's %d", tc.code, uint64(tc.code), uint64(tc.wire))
		}
		if tc.code.String() != tc.wire.String() {
			t.Errorf("code %d is named %q, the wire's %q", uint64(tc.code), tc.code, tc.wire)
		}
		err := goAwayError(wire.GoAway{Code: tc.wire, Reason: "why"})
		if err.Code != tc.code || err.Reason != "why" || !errors.Is(err, tc.want) {
			t.Errorf("goaway %s read as %+v (%v), want code %s wrapping %v", tc.wire, err, err, tc.code, tc.want)
		}
	}
}
