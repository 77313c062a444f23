// Netchan-plot draws the results of netchan-bench runs: round trips per
// second against the number of clients, and against the capacity
// (netchan.WithBuffer).
//
// It reads the JSON summaries that `netchan-bench -json` prints, from the
// files and directories (every *.json in them) given as arguments; a file
// may hold several summaries one after another. Runs that lost values or
// reported errors are left out with a warning. Runs whose settings agree
// but for the one on the x axis form a line; repeated runs of the same
// settings are drawn at their median. A line needs -min-points x values, so
// that the few runs of a capacity sweep do not clutter the clients chart.
//
// Usage:
//
//	netchan-plot [-out dir] [-min-points 3] results...
//
// It writes throughput-clients.png and throughput-capacity.png into -out
// (default "."), each only when the results vary that setting.
//
// To measure and plot a sweep, for the channel API and for typed (clients
// 1 to 64 at the default capacity; capacity 1 to 4096 with 8 clients),
// from anywhere in the repository:
//
//	cmd/netchan-plot/sweep.sh            # DURATION=3s OUT=docs by default
//
// which amounts to:
//
//	go build -o /tmp/nb ./cmd/netchan-bench
//	mkdir -p /tmp/results
//	for api in chan typed; do
//		for c in 1 2 4 8 16 32 64; do
//			/tmp/nb -json -api $api -duration 3s -clients $c >/tmp/results/$api-clients-$c.json
//		done
//		for n in 1 4 16 64 256 1024 4096; do
//			/tmp/nb -json -api $api -duration 3s -clients 8 -buffer $n >/tmp/results/$api-capacity-$n.json
//		done
//	done
//	(cd cmd/netchan-plot && go run . -out ../../docs /tmp/results)
//
// Netchan-plot is a module of its own, so that the plotting library stays
// out of netchan's dependencies.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "netchan-plot:", err)
		}
		os.Exit(2)
	}
}

// run parses args, reads the results and writes the plots; it says what it
// wrote on out and what it skipped on errOut.
func run(args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("netchan-plot", flag.ContinueOnError)
	fs.SetOutput(errOut)
	dir := fs.String("out", ".", "directory to write the PNG files into")
	minPoints := fs.Int("min-points", 3, "draw only lines with at least this many x values")
	fs.Usage = func() {
		fmt.Fprintln(errOut, "usage: netchan-plot [-out dir] results.json|dir...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no result files given")
	}
	runs, err := readAll(fs.Args(), errOut)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		return errors.New("no usable results")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	wrote := 0
	for _, c := range charts {
		lines := c.lines(runs, *minPoints)
		if len(lines) == 0 {
			fmt.Fprintf(errOut, "netchan-plot: %s: no settings vary %s; skipped\n", c.file, c.xName)
			continue
		}
		path := filepath.Join(*dir, c.file)
		if err := c.draw(lines, path); err != nil {
			return err
		}
		fmt.Fprintln(out, "wrote", path)
		wrote++
	}
	if wrote == 0 {
		return errors.New("nothing to plot")
	}
	return nil
}
