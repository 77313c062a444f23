package netchan

import "testing"

func TestChanBuffer(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"int, rendezvous", chanBuffer[int](0), 0},
		{"int, capacity 3", chanBuffer[int](3), 0},
		{"int, capacity 4", chanBuffer[int](4), 1},
		{"int, capacity 100", chanBuffer[int](100), 25},
		{"int, default capacity", chanBuffer[int](1024), 64},
		{"empty struct", chanBuffer[struct{}](1024), 64},
		{"1 KiB array", chanBuffer[[1024]byte](1024), 2},
		{"4 KiB array", chanBuffer[[4096]byte](1024), 0},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: chanBuffer %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}
