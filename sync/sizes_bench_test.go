package sync

import "testing"

// A window of 1024 values credited a quarter at a time, as a busy stream's.
func BenchmarkSizes(b *testing.B) {
	var q sizes
	for range 768 {
		q.push(9)
	}
	for i := 0; b.Loop(); i++ {
		q.push(9)
		if i%256 == 255 {
			q.pop(256)
		}
	}
}
