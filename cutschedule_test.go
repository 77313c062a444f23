package netchan_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// cutSchedule spreads cuts over a stream of values: the values go in
// cuts+1 segments, and each segment but the last ends in a cut, at a point
// drawn from seed. A segment's values wait until the cut before it
// happened, so that every cut falls while values flow, however fast or
// slow the machine.
//
// Each cut is a FIN or a reset, drawn at random, made in one of three ways:
//   - at once, once the session carries values again, wherever they are;
//   - armed with CutAfter, once the session carries values again, to fall
//     after a random number of bytes in a random direction: with a Proxy
//     that splits its writes (testkit.WithSplit), that is anywhere in a
//     frame or between two;
//   - armed the same way at once after the cut before, so that it may
//     fall in the dialer's next handshake, which the dialer then tries
//     again.
//
// A cut armed for more bytes than its segment carries falls at the
// segment's end instead. No cut falls in the last segment, nor in the
// closes after it: TestCutAtCleanEnd shows what one there loses.
type cutSchedule struct {
	values   int // each way; at least cuts+1
	cuts     int // at least this many: an armed cut that falls late may add one
	seed     uint64
	maxAfter int64 // the most bytes a CutAfter waits for
}

func (s cutSchedule) String() string {
	return fmt.Sprintf("%d values, %d cuts, seed %d", s.values, s.cuts, s.seed)
}

// How a cut is placed; see cutSchedule.
const (
	cutNow = iota
	cutInValues
	cutEarly
)

// run opens the gate segment by segment and makes the cuts; received
// returns how many values both ends have received.
func (s cutSchedule) run(ctx context.Context, p *testkit.Proxy, g *testkit.Gate, received func() int64) error {
	rng := rand.New(rand.NewPCG(s.seed, 1))
	prev := 0
	for j := range s.cuts {
		end := (j + 1) * s.values / (s.cuts + 1)
		g.Open(end)
		kind := testkit.CutKind(rng.IntN(2)) // FIN or RST
		how := []int{cutNow, cutInValues, cutInValues, cutEarly}[rng.IntN(4)]
		if how != cutEarly {
			// A value sent after the last cut arrived: the session resumed.
			if err := waitFor(ctx, fmt.Sprintf("values after cut %d", j), func() bool { return received() > int64(prev) }); err != nil {
				return err
			}
		}
		before := p.Cuts()
		if how == cutNow {
			p.CutAfter(0, testkit.Either, kind)
		} else {
			dir := testkit.Direction(rng.IntN(3)) // Either, Up or Down
			p.CutAfter(1+rng.Int64N(s.maxAfter), dir, kind)
		}
		if err := waitFor(ctx, fmt.Sprintf("cut %d", j), func() bool { return p.Cuts() > before || received() >= int64(end) }); err != nil {
			return err
		}
		if p.Cuts() == before {
			p.CutAfter(0, testkit.Either, kind) // the segment ended first
		}
		prev = end
	}
	g.Open(s.values)
	return nil
}

// cutSeed returns the seed of a test's cuts: NETCHAN_CUT_SEED if set, to
// replay a failure, else a new one each run.
func cutSeed(t *testing.T) uint64 {
	t.Helper()
	if env := os.Getenv("NETCHAN_CUT_SEED"); env != "" {
		seed, err := strconv.ParseUint(env, 10, 64)
		if err != nil {
			t.Fatalf("NETCHAN_CUT_SEED: %v", err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}
