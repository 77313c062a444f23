package conn

import (
	"flag"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("conn.seed", 0, "seed of the tests that draw at random (0: from the clock)")

// testSeed returns the seed of a test that draws at random, and logs it
// so that a failure can be replayed with -conn.seed.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -conn.seed=%d)", seed, seed)
	return seed
}
