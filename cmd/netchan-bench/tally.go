package main

import (
	"bytes"
	"fmt"
)

// value is what travels: a sequence number that identifies it and a payload
// of the configured size.
type value struct {
	Seq     uint64
	Payload []byte
}

// tally checks echoes against what was sent: one bit per sequence number,
// so a duplicate or a value never sent is caught, at 1 bit per value. One
// goroutine uses it.
type tally struct {
	seen       []uint64
	payload    []byte // what every value carries
	received   uint64 // distinct, valid echoes
	duplicates uint64
	invalid    uint64 // a sequence number not sent, or a wrong payload
	firstBad   error
}

func newTally(payload []byte) *tally { return &tally{payload: payload} }

// add records the echo v; sentUpTo is the highest sequence number whose
// send may have completed. It reports whether v was a new, valid echo.
func (t *tally) add(v value, sentUpTo uint64) bool {
	if v.Seq == 0 || v.Seq > sentUpTo {
		t.fail(&t.invalid, fmt.Errorf("echo of seq %d, never sent (sent up to %d)", v.Seq, sentUpTo))
		return false
	}
	if !bytes.Equal(v.Payload, t.payload) {
		t.fail(&t.invalid, fmt.Errorf("echo of seq %d with a payload of %d bytes that differs from what was sent", v.Seq, len(v.Payload)))
		return false
	}
	word, bit := v.Seq/64, uint64(1)<<(v.Seq%64)
	for uint64(len(t.seen)) <= word {
		t.seen = append(t.seen, 0)
	}
	if t.seen[word]&bit != 0 {
		t.fail(&t.duplicates, fmt.Errorf("echo of seq %d came twice", v.Seq))
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
