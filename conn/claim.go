package conn

import (
	"fmt"
	"slices"
)

// Claim returns the stream the peer opened with the given id, for the layer
// above that learned the id from a value the peer sent on another stream.
// A stream is claimed once, by Claim or Accept. Claim fails with
// ErrProtocol when the peer never opened the stream, when it is retired,
// and when it was claimed already: the peer named a stream it may not.
func (s *Session) Claim(id uint32) (*Stream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[id]
	switch {
	case st == nil || id == MainStream || id%2 == s.nextID%2:
		return nil, fmt.Errorf("%w: a value names stream %d, which the peer did not open or which ended", ErrProtocol, id)
	case st.claimed:
		return nil, fmt.Errorf("%w: a value names stream %d, which an earlier value named", ErrProtocol, id)
	}
	st.claimed = true
	if i := slices.Index(s.accepted, st); i >= 0 {
		s.accepted = slices.Delete(s.accepted, i, i+1)
	}
	return st, nil
}

// NextOpen returns the id the next stream this end opens will have, and
// how many streams the peer lets it open now. A layer that alone opens the
// session's streams, one at a time, can so name streams in a value before
// it opens them, and open none when the value cannot go.
func (s *Session) NextOpen() (id uint32, permits uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextID, s.permits
}
