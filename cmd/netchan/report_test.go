package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/netchan/netchan"
)

// TestUndeliveredShowsValue checks that a value netchan could not deliver
// is reported with the value, cut short if long, and that an error which
// ends the connection is told apart from one about a single value.
func TestUndeliveredShowsValue(t *testing.T) {
	var stderr strings.Builder
	r := &reporter{w: &stderr}
	var ended []error
	report := onError(r, cborFormat{}, func(err error) { ended = append(ended, err) })

	report(&netchan.UndeliveredError[any]{Value: map[any]any{"id": uint64(7)}, Err: netchan.ErrTooLarge})
	report(&netchan.UndeliveredError[any]{Value: strings.Repeat("é", 1000), Err: netchan.ErrConnLost})
	report(fmt.Errorf("%w: a bad value", netchan.ErrDecode))
	if len(ended) != 0 {
		t.Fatalf("errors about one value ended the connection: %v", ended)
	}
	report(netchan.ErrConnLost)
	if len(ended) != 1 || !errors.Is(ended[0], netchan.ErrConnLost) {
		t.Fatalf("a lost connection was not told: %v", ended)
	}

	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 4 || !r.failed() {
		t.Fatalf("want 4 lines and a failure, got:\n%s", stderr.String())
	}
	if !strings.HasSuffix(lines[0], `: {"id":7}`) {
		t.Errorf("the value is not shown: %s", lines[0])
	}
	if !strings.HasSuffix(lines[1], `é... (2002 bytes)`) || len(lines[1]) > 2*maxValueText {
		t.Errorf("a long value is not cut short at a character: %s", lines[1])
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "netchan: ") || strings.HasPrefix(l, "netchan: netchan: ") {
			t.Errorf("not prefixed once: %s", l)
		}
	}
}
