package main

import (
	"errors"
	"sync"

	"github.com/netchan/netchan"
)

// errorLog collects the errors netchan reports through OnError while the
// run is live; once the run shuts down on purpose, connections ending are
// expected and no longer count.
type errorLog struct {
	mu          sync.Mutex
	quiet       bool
	count       int
	first       error
	undelivered uint64 // of the errors, values reported undelivered
	// With -cut-every, a listener's handshake that fails is a resume the
	// proxy cut before it completed, which the client tries again: it is
	// counted apart, not as an error. A session that could not resume in
	// the end is one.
	cutting    bool
	handshakes int
}

// newErrorLog returns the error log of a run with cfg's settings.
func newErrorLog(cfg *config) *errorLog { return &errorLog{cutting: cfg.CutEvery > 0} }

// add is the OnError hook; netchan calls it from its goroutines.
func (l *errorLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.quiet {
		return
	}
	if l.cutting && errors.Is(err, netchan.ErrHandshake) {
		l.handshakes++
		return
	}
	l.count++
	if isUndelivered(err) {
		l.undelivered++
	}
	if l.first == nil {
		l.first = err
	}
}

// lost returns how many values were reported undelivered so far.
func (l *errorLog) lost() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.undelivered
}

// isUndelivered reports whether err reports a value of either type the
// benchmark sends as undelivered.
func isUndelivered(err error) bool {
	var n *netchan.UndeliveredError[uint64]
	var v *netchan.UndeliveredError[value]
	return errors.As(err, &n) || errors.As(err, &v)
}

// silence stops counting, before a deliberate shutdown.
func (l *errorLog) silence() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.quiet = true
}

// into adds the collected errors to s.
func (l *errorLog) into(s *summary) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s.HandshakesCut += int64(l.handshakes)
	if l.count == 0 {
		return
	}
	s.Errors += l.count
	if s.FirstError == "" {
		s.FirstError = l.first.Error()
	}
}
