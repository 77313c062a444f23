// Package pool recycles byte buffers on netchan's data path, so that
// receiving a value allocates nothing of netchan's own.
package pool

import (
	"math/bits"
	"sync"
)

// Buffers in a pool are sized in powers of two from 1<<minShift to
// 1<<maxShift. Larger ones are allocated and left to the garbage collector,
// so that one huge value does not keep a huge buffer alive.
const (
	minShift = 6
	maxShift = 20
)

var classes [maxShift - minShift + 1]sync.Pool

// Get returns a buffer of length n. Its contents are undefined.
func Get(n int) *[]byte {
	c := class(n)
	if c < 0 {
		b := make([]byte, n)
		return &b
	}
	if p, ok := classes[c].Get().(*[]byte); ok {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n, 1<<(c+minShift))
	return &b
}

// Put recycles a buffer that Get returned. The caller must not use it again.
func Put(p *[]byte) {
	c := class(cap(*p))
	if c < 0 || cap(*p) != 1<<(c+minShift) {
		return
	}
	classes[c].Put(p)
}

// class returns the index of the smallest class that holds n bytes, or -1.
func class(n int) int {
	if n > 1<<maxShift {
		return -1
	}
	if n <= 1<<minShift {
		return 0
	}
	return bits.Len(uint(n-1)) - minShift
}
