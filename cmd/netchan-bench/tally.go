package main

import (
	"bytes"
	"fmt"
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

// tally checks echoes against what was sent: one bit per sequence number,
// so a duplicate or a value never sent is caught, at 1 bit per value. One
// goroutine uses it.
type tally struct {
	seen       []uint64
	received   uint64 // distinct, valid echoes
	duplicates uint64
	invalid    uint64 // a sequence number not sent, or a wrong payload
	firstBad   error
}

func newTally() *tally { return &tally{} }

// add records the echo numbered seq, whose payload was intact or not;
// sentUpTo is the highest sequence number whose send may have completed.
// It reports whether the echo was new and valid.
func (t *tally) add(seq uint64, intact bool, sentUpTo uint64) bool {
	if seq == 0 || seq > sentUpTo {
		t.fail(&t.invalid, fmt.Errorf("echo of seq %d, never sent (sent up to %d)", seq, sentUpTo))
		return false
	}
	if !intact {
		t.fail(&t.invalid, fmt.Errorf("echo of seq %d with a payload that differs from what was sent", seq))
		return false
	}
	word, bit := seq/64, uint64(1)<<(seq%64)
	for uint64(len(t.seen)) <= word {
		t.seen = append(t.seen, 0)
	}
	if t.seen[word]&bit != 0 {
		t.fail(&t.duplicates, fmt.Errorf("echo of seq %d came twice", seq))
		return false
	}
	t.seen[word] |= bit
	t.received++
	return true
}

func (t *tally) fail(counter *uint64, err error) {
	*counter++
	if t.firstBad == nil {
		t.firstBad = err
	}
}

// err returns the first bad echo, if any.
func (t *tally) err() error { return t.firstBad }
