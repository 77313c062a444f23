package main

import (
	"strings"
	"testing"
)

func TestTallyCatchesBadEchoes(t *testing.T) {
	ta := &tally{}
	for _, seq := range []uint64{1, 2, 130} {
		if !ta.add(seq, true, 200) {
			t.Fatalf("valid echo %d refused", seq)
		}
	}
	bad := []struct {
		seq    uint64
		intact bool
	}{
		{2, true},   // duplicate
		{201, true}, // never sent
		{0, true},   // never sent
		{3, false},  // altered
	}
	for _, e := range bad {
		if ta.add(e.seq, e.intact, 200) {
			t.Fatalf("bad echo %+v accepted", e)
		}
	}
	if ta.received != 3 || ta.duplicates != 1 || ta.invalid != 3 || ta.err() == nil {
		t.Fatalf("received %d, duplicates %d, invalid %d, err %v", ta.received, ta.duplicates, ta.invalid, ta.err())
	}
}

// Each checking goroutine has its own tally: an echo that came back on two
// connections is new to both, and the server's figures must count it once
// as received and once as a duplicate.
func TestEchoOnTwoConnectionsIsDuplicate(t *testing.T) {
	s := &server[uint64]{firstEcho: make(chan struct{})}
	s.attempted.Store(2 * blockSeqs)
	s.sent.Store(3)
	one, two := s.newTally(), s.newTally()
	s.check(one, 1)
	s.check(one, 2)
	s.check(two, blockSeqs+1)
	s.check(two, 2)
	if _, received := s.counts(); received != 4 {
		t.Fatalf("progress counts %d echoes, want 4, each new to its tally", received)
	}
	sum := &summary{}
	s.fill(sum)
	if sum.Received != 3 || sum.Duplicates != 1 || sum.Lost != 0 || !strings.Contains(sum.FirstError, "seq 2 came on two connections") {
		t.Fatalf("received %d, duplicates %d, lost %d, first error %q; want 3, 1, 0 and seq 2 on two connections",
			sum.Received, sum.Duplicates, sum.Lost, sum.FirstError)
	}
	select {
	case <-s.firstEcho:
	default:
		t.Fatal("the first echo was not signalled")
	}
}
