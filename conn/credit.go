package conn

import (
	gosync "sync"
	"sync/atomic"

	nsync "github.com/netchan/netchan/sync"
)

// creditor decides when the credits a stream's program freed are sent.
//
// Sending one credit frame per value taken costs a frame, a write and a
// wake-up of the peer's sender per value, so credits go in groups. A group
// goes out once it is a quarter of the window; at once when the program has
// taken every value that arrived, since it is about to wait and the peer's
// sender may be waiting too; and at once when so many values arrived
// without their credit that the peer's sender may have run out of window.
// The last rule is checked both when the program takes a value and when a
// value arrives, so no credit waits while the peer's sender waits for it,
// and no timer is needed.
type creditor struct {
	st          *Stream
	flushAt     uint64 // a group this large goes out
	stallAt     uint64 // with this many values not credited, the peer's sender may be stuck
	maxWithheld uint64

	// Written under mu, read without it by take's check.
	granted  atomic.Uint64 // credits handed to the session to send
	withheld atomic.Uint64 // credits kept for values taken but not yet received: see Stream.Withhold

	mu   gosync.Mutex
	kept bool // the withheld values stay the program's when the session ends: see Stream.KeepsBuffered
}

func (c *creditor) init(st *Stream, window int) {
	c.st = st
	c.flushAt = uint64(max(1, window/4))
	// The peer's sender may keep up to MaxHold of its window for values
	// it has not sent: it may stop short of the window by as much.
	c.stallAt = uint64(window - nsync.MaxHold(window))
	c.maxWithheld = uint64(window - 1)
}

// take counts n values the program took. Most takes send nothing, and
// find so without the lock: take counts its own values before it looks,
// and whoever changes another term (withhold, or the reader's arrived)
// looks again under the lock after its change, so no credit due is left
// unsent.
func (c *creditor) take(n uint64) {
	c.st.recv.TakeN(int(n))
	if owed, due := c.due(false); owed == 0 || !due {
		return
	}
	c.mu.Lock()
	c.flushLocked(false)
}

// withhold keeps the credits of the first n values taken.
func (c *creditor) withhold(n uint64) {
	c.mu.Lock()
	c.withheld.Store(min(n, c.maxWithheld))
	c.flushLocked(false)
}

// owed takes, as granted, every credit the program freed and no rule has
// sent yet: the session says them before its goodbye. The withheld ones
// count too if their values stay the program's.
func (c *creditor) owed() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	withheld := c.withheld.Load()
	if c.kept {
		withheld = 0
	}
	granted, taken := c.granted.Load(), c.st.recv.Taken()
	if taken <= withheld+granted {
		return 0
	}
	owed := taken - withheld - granted
	c.granted.Store(granted + owed)
	return owed
}

// arrived is called by the reader after the values it hands the inbox at
// once, a data frame's or those of a values frame: the peer's sender may
// now be stuck on credits the program already freed.
func (c *creditor) arrived() {
	if c.st.recv.Arrived()-c.granted.Load() < c.stallAt {
		return
	}
	c.mu.Lock()
	c.flushLocked(true)
}

// flushLocked sends the credits owed if a rule above says so, or if stuck
// says the peer may be waiting. It unlocks mu.
func (c *creditor) flushLocked(stuck bool) {
	owed, due := c.due(stuck)
	if owed == 0 || !due {
		c.mu.Unlock()
		return
	}
	c.granted.Add(owed)
	c.mu.Unlock()
	// Outside mu: credits are counts, so two flushes may reach the
	// session in either order.
	c.st.s.grant(c.st.id, owed)
}

// due returns the credits owed, and whether a rule above says to send
// them now; stuck says the peer may be waiting.
func (c *creditor) due(stuck bool) (owed uint64, due bool) {
	granted, withheld := c.granted.Load(), c.withheld.Load()
	taken, arrived := c.st.recv.Taken(), c.st.recv.Arrived()
	if taken > withheld+granted {
		owed = taken - withheld - granted
	}
	return owed, stuck || owed >= c.flushAt || taken == arrived || arrived-granted >= c.stallAt
}
