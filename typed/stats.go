package typed

import "github.com/netchan/netchan/stats"

// Stats returns what the connection did so far: values and bytes each
// way, values in flight, the time sends waited for credits, the latest
// round trip and the resumes (see stats.Conn for what each counts).
// Reading them costs the connection's values nothing: they are counters
// the connection keeps anyway, and a round trip sampled one batch of frames
// at a time. Pass the Conn to a stats.Set to publish it with expvar.
func (c *Conn[T]) Stats() stats.Conn { return c.c.Stats() }

// Stats returns what the connections Accept returned did together, those
// that ended included, and how many of them are open.
func (l *Listener[T]) Stats() stats.Totals { return l.l.Stats() }
