package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// chart is one PNG: round trips per second against one setting, on a log2
// axis since the sweeps double.
type chart struct {
	file  string
	title string
	xName string
	x     setting
	xOf   func(result) (float64, bool) // false: the run has no place here
	// legend names this setting when no other differs between lines.
	fallback setting
	// legendLeft puts the legend where the lines usually leave room.
	legendLeft bool
}

var charts = []chart{
	{
		file:     "throughput-clients.png",
		title:    "netchan round trips against clients",
		xName:    "clients",
		x:        byClients,
		xOf:      func(r result) (float64, bool) { return float64(r.Settings.Clients), r.Settings.Clients > 0 },
		fallback: byCapacity,
		// Throughput falls as clients grow: the top right is free.
	},
	{
		// Sync runs (capacity 0) have no place on a log axis.
		file:       "throughput-capacity.png",
		title:      "netchan round trips against capacity (WithBuffer)",
		xName:      "capacity",
		x:          byCapacity,
		xOf:        func(r result) (float64, bool) { return float64(r.capacity()), r.capacity() > 0 },
		fallback:   byClients,
		legendLeft: true, // throughput grows with capacity
	},
}

// lines returns the chart's lines from runs with at least minPoints x
// values.
func (c chart) lines(runs []result, minPoints int) []line {
	return group(runs, c.x, c.xOf, c.fallback, minPoints)
}

// draw plots lines into a PNG at path.
func (c chart) draw(lines []line, path string) error {
	p := plot.New()
	p.Title.Text = c.title + "\n" + common(lines, c.x)
	p.X.Label.Text = c.xName + " (log scale)"
	p.Y.Label.Text = "round trips/s"
	p.X.Scale = plot.LogScale{}
	p.Y.Min = 0
	p.Legend.Top = true
	p.Legend.Left = c.legendLeft
	p.Add(plotter.NewGrid())

	xs := map[float64]bool{}
	var args []any
	var top float64
	for _, l := range lines {
		pts := make(plotter.XYs, 0, len(l.points))
		for _, x := range slices.Sorted(maps.Keys(l.points)) {
			y := median(l.points[x])
			pts = append(pts, plotter.XY{X: x, Y: y})
			xs[x] = true
			top = max(top, y)
		}
		args = append(args, l.label, pts)
	}
	// Headroom above the highest point, for the legend.
	p.Y.Max = top * (1.1 + 0.06*float64(len(lines)))
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return err
	}
	var ticks []plot.Tick
	for _, x := range slices.Sorted(maps.Keys(xs)) {
		ticks = append(ticks, plot.Tick{Value: x, Label: fmt.Sprint(x)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = thousands{}
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}

// thousands labels the y axis every 1, 2 or 5 times a power of ten, about
// six labels, in thousands ("40k"), so that large rates stay legible.
type thousands struct{}

func (thousands) Ticks(lo, hi float64) []plot.Tick {
	if hi <= lo {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := (hi - lo) / 6
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * pow
	for _, m := range []float64{1, 2, 5} {
		if m*pow >= raw {
			step = m * pow
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%gk", v/1000)})
	}
	return ts
}

// common names the settings, other than x, that every line shares, for
// the title: the lines' labels name only those that differ.
func common(lines []line, x setting) string {
	var parts []string
	for _, s := range allSetting {
		if s.name == x.name {
			continue
		}
		v := s.value(lines[0].first)
		same := true
		for _, l := range lines[1:] {
			same = same && s.value(l.first) == v
		}
		if same {
			parts = append(parts, s.name+"="+v)
		}
	}
	return strings.Join(parts, " ")
}
