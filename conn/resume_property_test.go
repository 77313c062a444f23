package conn

import (
	"context"
	"flag"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
	"pgregory.net/rapid"

	"github.com/netchan/netchan/internal/testkit"
)

// cut is one cut of a generated schedule: after n bytes in dir, with kind.
type cut struct {
	N    int64
	Dir  testkit.Direction
	Kind testkit.CutKind
}

var genCut = rapid.Custom(func(t *rapid.T) cut {
	return cut{
		N:    rapid.OneOf(rapid.Int64Range(1, 200), rapid.Int64Range(200, 30000)).Draw(t, "n"),
		Dir:  rapid.SampledFrom([]testkit.Direction{testkit.Either, testkit.Up, testkit.Down}).Draw(t, "dir"),
		Kind: rapid.SampledFrom([]testkit.CutKind{testkit.FIN, testkit.RST}).Draw(t, "kind"),
	}
})

// Under a generated schedule of values and cuts, each direction of a
// session receives what the other end sent, once and in order, then the
// close: buffered and rendezvous, values of generated sizes, the proxy's
// pieces split or whole.
func TestResumeProperty(t *testing.T) {
	checks(t, 20, func(rt *rapid.T) {
		capacity := rapid.SampledFrom([]int{0, 1, 3, 32}).Draw(rt, "capacity")
		up := rapid.IntRange(0, 150).Draw(rt, "values up")
		down := rapid.IntRange(0, 150).Draw(rt, "values down")
		largest := rapid.IntRange(0, 3000).Draw(rt, "largest value")
		piece := rapid.IntRange(0, 64).Draw(rt, "largest piece (0: whole)")
		cuts := rapid.SliceOfN(genCut, 0, 3).Draw(rt, "cuts")
		value := func(i int) []byte {
			b := strconv.AppendInt(nil, int64(i), 10)
			for len(b) < (i*7919)%(largest+1) {
				b = append(b, byte('a'+i%26))
			}
			return b
		}

		cfg := testConfig()
		cfg.Capacity = capacity
		cfg.MaxValue = 4096
		nl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			rt.Fatal(err)
		}
		l, err := Serve(nl, cfg)
		if err != nil {
			rt.Fatal(err)
		}
		rt.Cleanup(func() { _ = l.Close() })
		var opts []testkit.ProxyOption
		if piece > 0 {
			opts = append(opts, testkit.WithSplit(uint64(piece), piece))
		}
		proxy, err := testkit.StartProxy(l.Addr().String(), opts...)
		if err != nil {
			rt.Fatal(err)
		}
		rt.Cleanup(proxy.Close)
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		rt.Cleanup(cancel)
		d, err := Dial(ctx, proxy.Addr(), cfg)
		if err != nil {
			rt.Fatal(err)
		}
		rt.Cleanup(func() { _ = d.Close() })
		a, err := l.Accept(ctx)
		if err != nil {
			rt.Fatal(err)
		}
		rt.Cleanup(func() { _ = a.Close() })

		done := make(chan error, 1)
		go func() {
			var g errgroup.Group
			g.Go(func() error { return flow(ctx, d.Main(), a.Main(), up, value) })
			g.Go(func() error { return flow(ctx, a.Main(), d.Main(), down, value) })
			done <- g.Wait()
		}()
		for _, c := range cuts {
			if !cutAfter(rt, proxy, c.N, c.Dir, c.Kind, done) {
				break
			}
		}
		proxy.CutAfter(1<<62, testkit.Either, testkit.FIN) // disarm
		if err := <-done; err != nil {
			rt.Fatalf("after %d cuts and %d resumes: %v", proxy.Cuts(), d.Resumes(), err)
		}
		if d.Err() != nil || a.Err() != nil {
			rt.Fatalf("the sessions ended: %v, %v", d.Err(), a.Err())
		}
	})
}

// checks runs prop as a rapid check n times, unless the run chose the
// number with -rapid.checks or RAPID_CHECKS. It must not run in parallel
// with other rapid checks, as it sets the flag for its own.
func checks(t *testing.T, n int, prop func(*rapid.T)) {
	t.Helper()
	if f := flag.Lookup("rapid.checks"); f != nil && !userChecks() {
		old := f.Value.String()
		if err := flag.Set("rapid.checks", strconv.Itoa(n)); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = flag.Set("rapid.checks", old) }()
	}
	rapid.Check(t, prop)
}

// userChecks reports whether the run chose rapid's number of checks.
var userChecks = sync.OnceValue(func() bool {
	_, chose := os.LookupEnv("RAPID_CHECKS")
	flag.Visit(func(f *flag.Flag) { chose = chose || f.Name == "rapid.checks" })
	return chose
})
