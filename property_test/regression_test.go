package property_test

import (
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// once runs a check with no random input a single time.
func once(t *testing.T, s setup, check func(*rapid.T, setup)) {
	setChecks(t, 1)
	s.trust, s.t = testkit.NewTrust(t), t
	rapid.Check(t, func(rt *rapid.T) { check(rt, s) })
}

// TestGobBrokenSendDoesNotBlock is the minimal case TestIntegrity found: on
// the channel API, after gob refused a value (a zone offset of -1 minute,
// which time.Time.MarshalBinary cannot encode), the send side is broken, and
// the next send on the channel blocked forever instead of being reported.
func TestGobBrokenSendDoesNotBlock(t *testing.T) {
	once(t, setup{codec: codec.Gob(), api: chanAPI}, func(t *rapid.T, s setup) {
		srv, cli := connect[Shape](t, s, 1).pair()
		bad := Shape{Seq: 0, T: time.Unix(0, 0).In(time.FixedZone("", -60))}
		srv.mustSend(t, bad)
		srv.mustSend(t, Shape{Seq: 1})
		eventually(t, "both values to be reported", func() bool { return len(srv.errs.all()) == 2 })
		checkUndelivered(t, srv.errs.all(), []undelivered{{bad, netchan.ErrEncode}, {Shape{Seq: 1}, netchan.ErrSendBroken}})
		srv.closeSend()
		if v, ok := cli.mustRecv(t); ok {
			t.Fatalf("got value %d, want the channel closed", v.Seq)
		}
		if errs := cli.errs.all(); len(errs) != 0 {
			t.Fatalf("client reported %v", errors.Join(errs...))
		}
	})
}
