// Package stats holds the counters of netchan connections, for programs
// and operators to watch: [Conn], what one connection did, and [Set], the
// totals of many, which publishes itself with expvar.
//
// A typed.Conn and a typed.Listener have a Stats method; the channel API
// hands each connection to netchan.OnConnect, whose argument has one.
// Reading them costs the connection nothing on its way of values: the
// counters are those it keeps anyway, read under its locks, and the round
// trip is sampled, one batch of frames at a time.
package stats
