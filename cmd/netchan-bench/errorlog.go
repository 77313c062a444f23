package main

import "sync"

// errorLog collects the errors netchan reports through OnError while the
// run is live; once the run shuts down on purpose, connections ending are
// expected and no longer count.
type errorLog struct {
	mu    sync.Mutex
	quiet bool
	count int
	first error
}

// add is the OnError hook; netchan calls it from its goroutines.
func (l *errorLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.quiet {
		return
	}
	l.count++
	if l.first == nil {
		l.first = err
	}
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
	if l.count == 0 {
		return
	}
	s.Errors += l.count
	if s.FirstError == "" {
		s.FirstError = l.first.Error()
	}
}
