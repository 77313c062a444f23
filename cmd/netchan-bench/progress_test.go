package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// Off a terminal, progress is plain lines; on one, a line rewritten in
// place, ended once progress stops. Both show the rate, the values in
// flight and those lost.
func TestProgressLines(t *testing.T) {
	for _, live := range []bool{false, true} {
		var n atomic.Uint64
		w := newWatcher()
		p := startProgress(w, live, func() reading {
			return reading{sent: int64(n.Add(10)), received: n.Load() - 3, inFlight: 3, lost: 2}
		})
		start := `\n`
		if live {
			start = `\r`
		}
		w.await(t, regexp.MustCompile(start+` *[0-9.]+s  sent +\d+  received +\d+ +\d+ values/s  in flight +3  lost 2`))
		p.stop()
		w.mu.Lock()
		text := w.text.String()
		w.mu.Unlock()
		if live && (!strings.HasSuffix(text, "\x1b[K\n") || strings.Count(text, "\n") != 1) {
			t.Errorf("live progress wrote %q; want lines rewritten in place, then one newline", text)
		}
		if !live && (strings.Contains(text, "\r") || !strings.HasSuffix(text, "\n")) {
			t.Errorf("plain progress wrote %q; want whole lines", text)
		}
	}
}

// A pipe, a file and a buffer are no terminal.
func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, out := range []io.Writer{w, f, &bytes.Buffer{}} {
		if isTerminal(out) {
			t.Errorf("%T taken for a terminal", out)
		}
	}
}

// With -json, stdout is one JSON object whose first per-second figure is
// round_trips_per_sec, and which holds what each end's connections did;
// progress went to the other writer.
func TestJSONSummary(t *testing.T) {
	var out, progress bytes.Buffer
	sum, err := run(context.Background(), []string{"-duration", "1500ms", "-clients", "2", "-insecure", "-json"}, &out, &progress)
	if err != nil || sum.failure() != nil {
		t.Fatalf("run: %v, %v\n%s", err, sum.failure(), progress.String())
	}
	if !strings.Contains(progress.String(), "values/s") || strings.Contains(out.String(), "values/s") {
		t.Fatalf("progress went to stdout, or nowhere:\nstdout %q\nstderr %q", out.String(), progress.String())
	}
	dec := json.NewDecoder(&out)
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("stdout is not JSON: %v", err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth == 1 && len(keys) > 0 {
				t.Fatal("stdout holds more than one JSON value")
			}
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			continue
		}
		if depth == 1 {
			if k, ok := tok.(string); ok && dec.More() {
				keys = append(keys, k)
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var first string
	for _, k := range keys {
		if strings.Contains(k, "per_sec") {
			first = k
			break
		}
	}
	if first != "round_trips_per_sec" {
		t.Fatalf("the first per-second key is %q; keys %q", first, keys)
	}
	if sum.ServerConns == nil || sum.ClientConns == nil || sum.ServerConns.ValuesSent != sum.Sent ||
		sum.ClientConns.ValuesSent != sum.Echoed || sum.ClientConns.Conns != 2 {
		t.Fatalf("connections' stats %+v and %+v for %d sent, %d echoed", sum.ServerConns, sum.ClientConns, sum.Sent, sum.Echoed)
	}
}
