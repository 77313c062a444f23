package main

import (
	"bytes"
	"fmt"
	"math/bits"
	"time"
)

// value is what travels with -size N > 0: a sequence number that
// identifies it and a payload of N bytes, checked on its return.
type value struct {
	Seq     uint64
	Payload []byte
}

// message is what may travel: a bare sequence number with -size 0, as in
// the original netchan's benchmark, which sent ints, or a value.
type message interface{ uint64 | value }

// shape makes and reads the messages of type V.
type shape[V message] struct{ payload []byte }

// make returns the message numbered seq.
func (s shape[V]) make(seq uint64) V {
	var v V
	switch p := any(&v).(type) {
	case *uint64:
		*p = seq
	case *value:
		*p = value{Seq: seq, Payload: s.payload}
	}
	return v
}

// read returns v's sequence number, and whether its payload is the one
// sent.
func (s shape[V]) read(v V) (seq uint64, intact bool) {
	switch p := any(&v).(type) {
	case *uint64:
		return *p, true
	case *value:
		return p.Seq, bytes.Equal(p.Payload, s.payload)
	}
	return 0, false
}

// blockSeqs is how many sequence numbers a typed sender takes at a time,
// and how many a tally keeps together: each connection's echoes fill its
// own blocks, so the tallies of all connections hold about one bit per
// value between them, as one tally would.
const blockSeqs = 4096

type block [blockSeqs / 64]uint64

// tally checks echoes against what was sent: one bit per sequence number,
// so a duplicate or a value never sent is caught. One goroutine uses it,
// until the tallies of all are merged.
type tally struct {
	blocks     map[uint64]*block // sequence numbers 1 + i*blockSeqs onwards, by i
	last       *block            // the block of the latest echo, at lastIndex
	lastIndex  uint64
	received   uint64 // distinct, valid echoes
	duplicates uint64
	invalid    uint64 // a sequence number not sent, or a wrong payload
	firstBad   error
	firstAt    time.Time // when firstBad was seen, to keep the earliest on merging
}

// add records the echo numbered seq, whose payload was intact or not;
// sentUpTo is the highest sequence number handed out to a sender, which
// with -api typed is the end of the latest block taken, so a number within
// a block not yet sent passes. It reports whether the echo was new and valid.
func (t *tally) add(seq uint64, intact bool, sentUpTo uint64) bool {
	if seq == 0 || seq > sentUpTo {
		t.fail(&t.invalid, fmt.Errorf("echo of seq %d, never sent (sent up to %d)", seq, sentUpTo))
		return false
	}
	if !intact {
		t.fail(&t.invalid, fmt.Errorf("echo of seq %d with a payload that differs from what was sent", seq))
		return false
	}
	i, n := (seq-1)/blockSeqs, (seq-1)%blockSeqs
	if t.last == nil || i != t.lastIndex {
		t.last, t.lastIndex = t.block(i), i
	}
	word, bit := &t.last[n/64], uint64(1)<<(n%64)
	if *word&bit != 0 {
		t.fail(&t.duplicates, fmt.Errorf("echo of seq %d came twice", seq))
		return false
	}
	*word |= bit
	t.received++
	return true
}

// block returns block i, made empty if new.
func (t *tally) block(i uint64) *block {
	if t.blocks == nil {
		t.blocks = make(map[uint64]*block)
	}
	b := t.blocks[i]
	if b == nil {
		b = new(block)
		t.blocks[i] = b
	}
	return b
}

// merge adds o's echoes to t's. A sequence number both hold came back on
// two connections: a duplicate, as a repeat on one connection is.
func (t *tally) merge(o *tally) {
	t.received += o.received
	t.duplicates += o.duplicates
	t.invalid += o.invalid
	if o.firstBad != nil && (t.firstBad == nil || o.firstAt.Before(t.firstAt)) {
		t.firstBad, t.firstAt = o.firstBad, o.firstAt
	}
	for i, ob := range o.blocks {
		b := t.block(i)
		for w := range b {
			for both := b[w] & ob[w]; both != 0; both &= both - 1 {
				seq := 1 + i*blockSeqs + uint64(w)*64 + uint64(bits.TrailingZeros64(both))
				t.received--
				t.fail(&t.duplicates, fmt.Errorf("echo of seq %d came on two connections", seq))
			}
			b[w] |= ob[w]
		}
	}
}

func (t *tally) fail(counter *uint64, err error) {
	*counter++
	if t.firstBad == nil {
		t.firstBad, t.firstAt = err, time.Now()
	}
}

// err returns the first bad echo, if any.
func (t *tally) err() error { return t.firstBad }
