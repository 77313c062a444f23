package conn

import (
	"testing"
	"time"
)

// The first attempt after a cut waits a jitter of at most 100 ms; after
// each failure the delay doubles, from 100 ms to a cap of a few seconds,
// each wait between half the delay and the delay.
func TestBackoffSchedule(t *testing.T) {
	for range 1000 {
		if w := new(backoff).first(); w < 0 || w >= 100*time.Millisecond {
			t.Fatalf("first attempt after %v; want at most 100 ms", w)
		}
	}
	want := []time.Duration{100, 200, 400, 800, 1600, 3200, 4000, 4000}
	for range 100 {
		var b backoff
		for i, d := range want {
			d *= time.Millisecond
			if w := b.next(); w < d/2 || w > d {
				t.Fatalf("wait after %d failures %v; want within [%v, %v]", i+1, w, d/2, d)
			}
		}
	}
	if maxRedial > 5*time.Second {
		t.Errorf("the delay grows to %v, more than a few seconds", maxRedial)
	}
}
