package conn

// AfterDone arranges for f to run once the session has ended and stopped
// reading and writing: in the session's goroutine, before Done is closed,
// so that Close returns only after f did; or at once, in the caller's
// goroutine, if the session has ended already. It is how a layer above
// settles what the session's end leaves: see Flushed. f must not wait for
// Done, nor call Close.
func (s *Session) AfterDone(f func()) {
	s.mu.Lock()
	if !s.finished {
		s.afterDone = append(s.afterDone, f)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	f()
}

// Flushed reports, once the session has ended, whether it ended cleanly,
// by this end's Close, with every frame this end queued acknowledged by
// the peer's session: every value sent then reached the peer, and those
// its program had not taken wait in its inbox, where its program may still
// receive them. It is false while the session is open, and after any other
// end: the peer's goodbye, a failure, a lost session, or a Close whose last
// frames the peer did not acknowledge.
func (s *Session) Flushed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushed
}
