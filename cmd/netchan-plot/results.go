package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// result is one netchan-bench summary: the fields the plots need.
type result struct {
	Settings struct {
		Role    string `json:"role"`
		Clients int    `json:"clients"`
		Codec   string `json:"codec"`
		Buffer  int    `json:"buffer"`
		Sync    bool   `json:"sync"`
		Size    int    `json:"size"`
		Trust   string `json:"trust"`
		API     string `json:"api"`
	} `json:"settings"`
	Lost             uint64  `json:"lost"`
	Errors           int     `json:"errors"`
	RoundTripsPerSec float64 `json:"round_trips_per_sec"`

	from string // the file it came from, for warnings
}

// readAll reads every summary in paths; a directory stands for the *.json
// files in it. Unusable runs are reported on warn and left out.
func readAll(paths []string, warn io.Writer) ([]result, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		found, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	var all []result
	for _, f := range files {
		rs, err := readFile(f)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if why := r.unusable(); why != "" {
				fmt.Fprintf(warn, "netchan-plot: %s: run left out: %s\n", r.from, why)
				continue
			}
			all = append(all, r)
		}
	}
	return all, nil
}

// readFile decodes the summaries in one file, one after another.
func readFile(path string) ([]result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	var rs []result
	for {
		var r result
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return rs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r.from = path
		rs = append(rs, r)
	}
}

// unusable says why a run cannot be plotted, or returns "".
func (r result) unusable() string {
	switch {
	case r.Settings.Role != "" && r.Settings.Role != "all":
		return fmt.Sprintf("role %s: only -role all knows both the clients and the rate", r.Settings.Role)
	case r.Lost > 0 || r.Errors > 0:
		return fmt.Sprintf("%d values lost, %d errors", r.Lost, r.Errors)
	case r.RoundTripsPerSec <= 0:
		return "no round trips"
	}
	return ""
}

// capacity returns the run's capacity, 0 in sync mode.
func (r result) capacity() int {
	if r.Settings.Sync {
		return 0
	}
	return r.Settings.Buffer
}

// setting is one of a run's settings, as a line's legend shows it.
type setting struct {
	name  string
	value func(result) string
}

var (
	byClients  = setting{"clients", func(r result) string { return fmt.Sprint(r.Settings.Clients) }}
	byCapacity = setting{"capacity", func(r result) string { return fmt.Sprint(r.capacity()) }}
	bySize     = setting{"size", func(r result) string { return fmt.Sprint(r.Settings.Size) }}
	byCodec    = setting{"codec", func(r result) string { return r.Settings.Codec }}
	byTrust    = setting{"trust", func(r result) string { return r.Settings.Trust }}
	byAPI      = setting{"api", func(r result) string { return cmp.Or(r.Settings.API, "chan") }}
	allSetting = []setting{byClients, byCapacity, bySize, byCodec, byTrust, byAPI}
)

// line is the runs that share every setting but the x axis's.
type line struct {
	label  string
	first  result                // a run of the line, to order lines by
	points map[float64][]float64 // x → every rate measured there
}

// group splits runs into lines by every setting but x. A line's label
// names the settings that differ between lines (or, with one line, fallback).
// Lines with fewer than minPoints x values are dropped: a sweep of one
// setting also yields a point or two of others, which show no trend.
func group(runs []result, x setting, xOf func(result) (float64, bool), fallback setting, minPoints int) []line {
	var rest []setting
	for _, s := range allSetting {
		if s.name != x.name {
			rest = append(rest, s)
		}
	}
	keyOf := func(r result, ss []setting) string {
		parts := make([]string, len(ss))
		for i, s := range ss {
			parts[i] = s.name + "=" + s.value(r)
		}
		return strings.Join(parts, " ")
	}
	var usable []result
	for _, r := range runs {
		if _, ok := xOf(r); ok {
			usable = append(usable, r)
		}
	}
	// Label by the settings that differ, so the legend stays short.
	var shown []setting
	for _, s := range rest {
		seen := map[string]bool{}
		for _, r := range usable {
			seen[s.value(r)] = true
		}
		if len(seen) > 1 {
			shown = append(shown, s)
		}
	}
	if len(shown) == 0 {
		shown = []setting{fallback}
	}
	byKey := map[string]*line{}
	var keys []string
	for _, r := range usable {
		k := keyOf(r, rest)
		l, ok := byKey[k]
		if !ok {
			l = &line{label: keyOf(r, shown), first: r, points: map[float64][]float64{}}
			byKey[k] = l
			keys = append(keys, k)
		}
		xv, _ := xOf(r)
		l.points[xv] = append(l.points[xv], r.RoundTripsPerSec)
	}
	var lines []line
	for _, k := range keys {
		if l := byKey[k]; len(l.points) >= minPoints {
			lines = append(lines, *l)
		}
	}
	slices.SortFunc(lines, func(a, b line) int { return compareBy(rest, a.first, b.first) })
	return lines
}

// compareBy orders runs by each setting in turn, numbers by value, so that
// "capacity=16" comes before "capacity=256".
func compareBy(ss []setting, a, b result) int {
	for _, s := range ss {
		va, vb := s.value(a), s.value(b)
		na, errA := strconv.ParseFloat(va, 64)
		nb, errB := strconv.ParseFloat(vb, 64)
		if errA == nil && errB == nil {
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if c := strings.Compare(va, vb); c != 0 {
			return c
		}
	}
	return 0
}

// median returns the median of vs, which it sorts.
func median(vs []float64) float64 {
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}
