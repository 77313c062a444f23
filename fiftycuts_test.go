package netchan_test

import (
	"fmt"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestTwentyThousandThroughFiftyCuts: 20,000 values each way through a
// proxy that cuts the connection 50 times, by FIN and by reset, at random
// points in the bytes, and every value is received once and in order, then
// the close, through both APIs, buffered and Sync(), over TLS.
func TestTwentyThousandThroughFiftyCuts(t *testing.T) {
	trust := testkit.NewTrust(t)
	for _, a := range []api{chanAPI, typedAPI} {
		for _, capacity := range []int{netchan.DefaultBuffer, 0} {
			t.Run(fmt.Sprintf("%s/buffer=%d", a, capacity), func(t *testing.T) {
				t.Parallel()
				seed := cutSeed(t)
				s := cutSchedule{values: 20000, cuts: 50, seed: seed, maxAfter: 4096}
				t.Log(s)
				p := connectThroughProxy(t, a,
					[]netchan.Option{netchan.WithTLS(trust.Server), netchan.WithBuffer(capacity)},
					[]netchan.Option{netchan.WithTLS(trust.Client), netchan.WithBuffer(capacity)},
					testkit.WithSplit(seed, 1500))
				streamThroughCuts(t, p, s)
			})
		}
	}
}
