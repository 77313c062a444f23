package property_test

import (
	"context"
	"slices"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan/internal/testkit"
)

// cutPoint is a cut of a generated schedule: once both ends received At
// values, the proxy cuts both sides with Kind after Bytes more bytes
// crossed it in direction Dir, or at once for 0 bytes. The next value
// goes only then, and if it arrives first, the cut is made at once.
type cutPoint struct {
	At    int
	Bytes int64
	Dir   testkit.Direction
	Kind  testkit.CutKind
}

// cutPoints generates up to 3 cuts, in the order of At, for a stream of n
// values each way: each falls before the last value, so that a value
// always crosses the resumed session before the closes, which
// TestCutAtCleanEnd (in the root package) shows cannot survive a cut yet.
func cutPoints(n int) *rapid.Generator[[]cutPoint] {
	point := rapid.Custom(func(t *rapid.T) cutPoint {
		return cutPoint{
			At:    rapid.IntRange(0, n-2).Draw(t, "at"),
			Bytes: rapid.Int64Range(0, 600).Draw(t, "bytes"),
			Dir:   rapid.SampledFrom([]testkit.Direction{testkit.Either, testkit.Up, testkit.Down}).Draw(t, "dir"),
			Kind:  rapid.SampledFrom([]testkit.CutKind{testkit.FIN, testkit.RST}).Draw(t, "kind"),
		}
	})
	return rapid.Custom(func(t *rapid.T) []cutPoint {
		points := rapid.SliceOfN(point, 0, 3).Draw(t, "cuts")
		slices.SortStableFunc(points, func(a, b cutPoint) int { return a.At - b.At })
		return points
	})
}

// runCuts lets the values through g and makes the cuts as points say, then
// lets through all n values and, once both ends received them, the
// closes. received returns how many values both ends have received. It
// fails the check if something does not happen within testkit.Patience,
// and returns early if ctx ends: the goroutines that ended it say why.
func runCuts(t *rapid.T, ctx context.Context, p *testkit.Proxy, g *testkit.Gate, received func() int, points []cutPoint, n int) {
	t.Helper()
	for _, c := range points {
		g.Open(c.At)
		if !waitUntil(t, ctx, "the values before a cut", func() bool { return received() >= c.At }) {
			return
		}
		before := p.Cuts()
		p.CutAfter(c.Bytes, c.Dir, c.Kind) // at once for 0 bytes
		g.Open(c.At + 1)
		if !waitUntil(t, ctx, "a cut", func() bool { return p.Cuts() > before || received() > c.At }) {
			return
		}
		if p.Cuts() == before {
			p.CutAfter(0, c.Dir, c.Kind)
		}
	}
	g.Open(n)
	if waitUntil(t, ctx, "every value", func() bool { return received() >= n }) {
		g.Open(n + 1) // the closes
	}
}

// waitUntil polls cond until it holds and reports true, or ctx ends and
// reports false; it fails the check after testkit.Patience.
func waitUntil(t *rapid.T, ctx context.Context, what string, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(testkit.Patience)
	for wait := 100 * time.Microsecond; !cond(); wait = min(2*wait, 10*time.Millisecond) {
		if ctx.Err() != nil {
			return false
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, testkit.Patience)
		}
		time.Sleep(wait)
	}
	return true
}
