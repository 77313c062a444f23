package stats

import (
	"encoding/json"
	"expvar"
	"fmt"
	"net"
	"slices"
	"sync"
)

// Source is a connection whose stats a Set gathers: a typed.Conn, or the
// *netchan.Conn that netchan.OnConnect gives.
type Source interface {
	Stats() Conn           // what the connection did so far
	RemoteAddr() net.Addr  // its peer's address, which the Set's JSON shows
	Done() <-chan struct{} // closed once it ended; the Set then keeps its figures and lets it go
}

// Totals is what the connections of a Set did together.
type Totals struct {
	// Conns counts the connections added.
	Conns uint64 `json:"conns"`
	// Open counts those that have not ended.
	Open int `json:"open"`
	// Conn sums the figures of every connection added, ended ones
	// included, but for two: InFlight sums those of the open connections,
	// and RTT is the largest latest round trip among them.
	Conn
}

// Set gathers the stats of connections: each open connection's, and the
// totals of all, those that ended included. It is an expvar.Var, whose
// value is Totals and the open connections' stats by peer address, as
// JSON. The zero Set is ready to use. All methods are safe for concurrent
// use.
type Set struct {
	mu    sync.Mutex
	open  []Source
	swept int // len(open) after the last sweep
	conns uint64
	ended Conn // the sums of the connections swept once ended
}

// minSweep is how many connections a Set holds before it looks for those
// that ended as connections are added.
const minSweep = 16

// Add adds c to the set. Once c has ended its figures stay in the totals,
// and the set lets go of c.
func (s *Set) Add(c Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns++
	s.open = append(s.open, c)
	// Sweeping each time the set doubled keeps Add's cost constant on
	// average, and what ended connections hold from growing without a read.
	if len(s.open) >= 2*max(s.swept, minSweep) {
		s.sweepLocked()
	}
}

// sweepLocked moves the figures of the connections that ended into the
// totals.
func (s *Set) sweepLocked() {
	s.open = slices.DeleteFunc(s.open, func(c Source) bool {
		select {
		case <-c.Done():
		default:
			return false
		}
		st := c.Stats()
		st.InFlight, st.RTT = 0, 0
		s.ended.add(st)
		return true
	})
	clear(s.open[len(s.open):cap(s.open)])
	s.swept = len(s.open)
}

// Totals returns what the set's connections did together.
func (s *Set) Totals() Totals {
	t, _ := s.read()
	return t
}

// peer is one open connection's stats, by its peer's address.
type peer struct {
	Remote string `json:"remote"`
	Conn
}

// read returns the totals and each open connection's stats.
func (s *Set) read() (Totals, []peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	t := Totals{Conns: s.conns, Open: len(s.open), Conn: s.ended}
	peers := make([]peer, len(s.open))
	for i, c := range s.open {
		st := c.Stats()
		t.add(st)
		peers[i] = peer{Remote: c.RemoteAddr().String(), Conn: st}
	}
	return t, peers
}

// String returns the set's totals and open connections as JSON, for
// expvar: {"conns": ..., "open": ..., "values_sent": ..., "peers": [...]}.
func (s *Set) String() string {
	t, peers := s.read()
	b, err := json.Marshal(struct {
		Totals
		Peers []peer `json:"peers"`
	}{t, peers})
	if err != nil {
		return fmt.Sprintf("%q", err.Error()) // cannot happen: numbers and strings
	}
	return string(b)
}

var _ expvar.Var = (*Set)(nil)

// publishing serialises Publish's check and expvar.Publish.
var publishing sync.Mutex

// Publish publishes the set in expvar under name, where /debug/vars
// shows it once the program serves expvar's handler. It returns an error
// if name is taken, where expvar.Publish would panic. A name stays
// published for the process's life, as expvar's names do.
func (s *Set) Publish(name string) error {
	publishing.Lock()
	defer publishing.Unlock()
	if expvar.Get(name) != nil {
		return fmt.Errorf("stats: expvar %q is published already", name)
	}
	expvar.Publish(name, s)
	return nil
}
