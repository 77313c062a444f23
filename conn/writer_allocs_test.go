package conn

import (
	"testing"
)

// The writer goroutine reuses its batch buffer from one write to the next:
// a value sent one at a time, which makes a write of its own at each end
// (the value, then its credit), costs the writers no allocation.
func TestWriterReusesItsBuffer(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	value := []byte("a value of a few bytes")
	round := func() {
		if err := p.d.Main().Reserve(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := p.d.Main().Send(value); err != nil {
			t.Fatal(err)
		}
		m, err := p.a.Main().Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m.Release()
		p.a.Main().Take()
	}
	for range 200 { // buffers grow to their working size
		round()
	}
	// The bound leaves room for what the runtime allocates now and then
	// (timers, the scheduler), not for an allocation per write.
	per := testing.AllocsPerRun(2000, round)
	t.Logf("%.2f allocations a round trip", per)
	if per > 2 {
		t.Fatalf("%.2f allocations a round trip; want at most 2", per)
	}
}
