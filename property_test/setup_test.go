package property_test

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// api names one of the two ways to use netchan.
type api string

const (
	chanAPI  api = "chan"  // netchan.Listen and netchan.Dial
	typedAPI api = "typed" // typed.Listen and typed.Dial
)

// setup is one combination a property runs under: a codec, an API and
// whether the connection is secured by TLS or Insecure.
type setup struct {
	codec codec.Codec
	api   api
	tls   bool
	trust *testkit.Trust
	t     *testing.T // the subtest, for testkit helpers that want a testing.TB
}

func (s setup) String() string {
	trust := "insecure"
	if s.tls {
		trust = "tls"
	}
	return fmt.Sprintf("%s/%s/%s", s.codec.Name(), s.api, trust)
}

// options returns the options one end needs, then extra.
func (s setup) options(listener bool, extra ...netchan.Option) []netchan.Option {
	opts := []netchan.Option{netchan.WithCodec(s.codec)}
	switch {
	case !s.tls:
		opts = append(opts, netchan.Insecure())
	case listener:
		opts = append(opts, netchan.WithTLS(s.trust.Server))
	default:
		opts = append(opts, netchan.WithTLS(s.trust.Client))
	}
	return append(opts, extra...)
}

// forEach runs prop as a rapid property under every shipped codec, both
// APIs and both trust modes, each a subtest with checks checks by default.
func forEach(t *testing.T, checks int, prop func(*rapid.T, setup)) {
	forSetups(t, checks, []api{chanAPI, typedAPI}, prop)
}

// forSetups is forEach restricted to some APIs.
func forSetups(t *testing.T, checks int, apis []api, prop func(*rapid.T, setup)) {
	setChecks(t, checks)
	trust := testkit.NewTrust(t)
	for _, c := range []codec.Codec{codec.CBOR(), codec.Gob(), codec.JSON()} {
		for _, a := range apis {
			for _, tls := range []bool{true, false} {
				s := setup{codec: c, api: a, tls: tls, trust: trust}
				t.Run(s.String(), func(t *testing.T) {
					s.t = t
					rapid.Check(t, func(rt *rapid.T) { prop(rt, s) })
				})
			}
		}
	}
}
