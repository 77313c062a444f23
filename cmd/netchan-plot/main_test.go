package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// summary writes one netchan-bench JSON summary as the tool prints it.
func summary(clients, buffer int, rate float64, lost int) string {
	return fmt.Sprintf(`{
  "settings": {"role": "all", "clients": %d, "codec": "cbor", "buffer": %d, "sync": false, "size": 16, "trust": "tls"},
  "lost": %d, "errors": 0, "round_trips_per_sec": %g
}
`, clients, buffer, lost, rate)
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunWritesBothCharts(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	for i, c := range []int{1, 2, 4, 8} {
		writeFile(t, in, fmt.Sprintf("clients-%d.json", c), summary(c, 64, float64(100000-i*1000), 0))
	}
	// Two summaries in one file, as `>>` makes.
	writeFile(t, in, "capacity.json", summary(8, 1, 1000, 0)+summary(8, 16, 5000, 0)+summary(8, 256, 9000, 0))
	writeFile(t, in, "lost.json", summary(8, 1024, 1, 3))
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-out", out, in}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	for _, name := range []string{"throughput-clients.png", "throughput-capacity.png"} {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", name)
		}
	}
	if !strings.Contains(stderr.String(), "3 values lost") {
		t.Errorf("the run that lost values was not reported: %q", stderr.String())
	}
}

func TestGroupKeepsSweepsAndTakesMedians(t *testing.T) {
	var runs []result
	for _, s := range []string{
		summary(1, 64, 10, 0), summary(2, 64, 20, 0), summary(4, 64, 30, 0),
		summary(4, 64, 50, 0), summary(4, 64, 40, 0), // repeats: median 40
		summary(1, 256, 99, 0), summary(8, 256, 99, 0), // two points only
	} {
		var r result
		if err := jsonUnmarshal(s, &r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	c := charts[0]
	lines := c.lines(runs, 3)
	if len(lines) != 1 {
		t.Fatalf("%d lines; want the one with three client counts", len(lines))
	}
	if got := median(lines[0].points[4]); got != 40 {
		t.Errorf("median at 4 clients = %v; want 40", got)
	}
	if lines = c.lines(runs, 2); len(lines) != 2 || lines[0].label != "capacity=64" || lines[1].label != "capacity=256" {
		t.Errorf("with two points: labels %v; want capacity=64 then capacity=256", labels(lines))
	}
}

func labels(ls []line) []string {
	var s []string
	for _, l := range ls {
		s = append(s, l.label)
	}
	return s
}

func TestRefusesNoInput(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(nil, &out, &errOut); err == nil {
		t.Fatal("run with no files succeeded")
	}
}

func jsonUnmarshal(s string, r *result) error { return json.Unmarshal([]byte(s), r) }
