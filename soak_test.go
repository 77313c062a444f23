package netchan_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// soakCuts is how many cuts each case of TestSoakCuts makes, and soakValues
// how many values it sends each way.
const (
	soakCuts   = 60
	soakValues = 2000
)

// TestSoakCuts streams values both ways through a proxy that writes in
// pieces of a few bytes and cuts the connection soakCuts times per case,
// by FIN and by reset, at once or after a random count of bytes in either
// direction, so mostly inside a frame, sometimes in a resume's handshake:
// every value arrives once and in order, then the close. The cases cover
// both APIs, Sync() and small and large windows, each codec (gob's state
// carries across resumes) and each kind of trust, at least 200 cuts in all.
func TestSoakCuts(t *testing.T) {
	trust := testkit.NewTrust(t)
	secret := netchan.NewSecret()
	trusts := map[string][2]netchan.Option{
		"tls":      {netchan.WithTLS(trust.Server), netchan.WithTLS(trust.Client)},
		"secret":   {netchan.WithSecret(secret), netchan.WithSecret(secret)},
		"insecure": {netchan.Insecure(), netchan.Insecure()},
	}
	cases := []struct {
		api      api
		capacity int
		codec    codec.Codec
		trust    string
	}{
		{chanAPI, 0, codec.CBOR(), "insecure"},
		{chanAPI, 3, codec.JSON(), "tls"},
		{chanAPI, netchan.DefaultBuffer, codec.Gob(), "secret"},
		{typedAPI, 0, codec.Gob(), "tls"},
		{typedAPI, 3, codec.CBOR(), "secret"},
		{typedAPI, netchan.DefaultBuffer, codec.JSON(), "insecure"},
	}
	var cuts atomic.Int64
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/buffer=%d/%s/%s", c.api, c.capacity, c.codec.Name(), c.trust), func(t *testing.T) {
				t.Parallel()
				seed := cutSeed(t)
				s := cutSchedule{values: soakValues, cuts: soakCuts, seed: seed, maxAfter: 512}
				t.Log(s)
				common := []netchan.Option{netchan.WithCodec(c.codec), netchan.WithBuffer(c.capacity)}
				p := connectThroughProxy(t, c.api,
					append([]netchan.Option{trusts[c.trust][0]}, common...),
					append([]netchan.Option{trusts[c.trust][1]}, common...),
					testkit.WithSplit(seed, 7))
				streamThroughCuts(t, p, s)
				cuts.Add(int64(p.proxy.Cuts()))
			})
		}
	})
	if !t.Failed() && cuts.Load() < 200 {
		t.Fatalf("%d cuts in all, want at least 200", cuts.Load())
	}
	t.Logf("%d cuts in all", cuts.Load())
}
