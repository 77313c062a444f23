package endpoint

import (
	"github.com/netchan/netchan/internal/options"
	"github.com/netchan/netchan/stats"
)

// Stats returns what the connection did: see stats.Conn. It reads the
// counters the session and its main stream keep anyway.
func (c *Conn[T]) Stats() stats.Conn {
	ss, st := c.c.Stats(), c.s.Stats()
	return stats.Conn{
		ValuesSent:     st.Sent,
		ValuesReceived: st.Arrived,
		BytesSent:      ss.BytesSent,
		BytesReceived:  ss.BytesReceived,
		InFlight:       st.Outstanding,
		CreditWait:     st.CreditWait,
		RTT:            ss.RTT,
		Resumes:        ss.Resumes,
	}
}

// Stats returns what the connections the listener accepted did together,
// those that ended included.
func (l *Listener[T]) Stats() stats.Totals { return l.conns.Totals() }

// connected hands a new connection to the OnConnect hook, if any.
func connected[T any](c *Conn[T], s *options.Settings) *Conn[T] {
	if s.OnConnect != nil {
		s.OnConnect(c)
	}
	return c
}

var _ options.Conn = (*Conn[int])(nil)
