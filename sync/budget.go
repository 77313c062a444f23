package sync

// A count of values alone does not bound memory: a window of n values of the
// largest size is n times that size. So the window is also bounded in bytes,
// by a budget both ends compute from the receiver's largest value, which
// each knows from the handshake: no value needs to travel for it.
//
// The sender counts every reservation as a value of the largest size until
// it commits the value's real size, so the values outstanding never exceed
// the budget whatever happens concurrently; the receiver checks the bytes it
// holds against the same budget. With small values the budget never binds
// and the window is n values, as for a Go channel; with large values a send
// may wait before n are outstanding.

// MinBudget is the byte budget of a window unless twice the largest value
// is more: enough for a default window of small values, while a connection
// holds at most that much of values its program has not received.
const MinBudget = 64 << 20

// Budget returns the byte budget of a window whose receiver accepts values
// of up to maxValue bytes.
func Budget(maxValue int) uint64 {
	return max(MinBudget, 2*uint64(maxValue))
}

// budgetFor returns the byte budget of a window of the given number of
// values of up to maxValue bytes, or 0 when the budget cannot bind: when
// the whole window of the largest values fits in it, counting bytes would
// be work for nothing. Both ends decide alike, from the same window and the
// receiver's maxValue.
func budgetFor(window uint64, maxValue int) uint64 {
	if maxValue <= 0 {
		return 0
	}
	b := Budget(maxValue)
	if window*uint64(maxValue) <= b {
		return 0
	}
	return b
}

// sizes is a queue of the sizes of values in order, with their sum.
type sizes struct {
	ring  []uint32
	head  int
	n     int
	total uint64
}

func (q *sizes) push(size uint32) {
	if q.n == len(q.ring) {
		ring := make([]uint32, max(2*len(q.ring), 16))
		for i := range q.n {
			ring[i] = q.ring[(q.head+i)%len(q.ring)]
		}
		q.ring, q.head = ring, 0
	}
	q.ring[(q.head+q.n)%len(q.ring)] = size
	q.n++
	q.total += uint64(size)
}

// keepSizes is the largest ring of sizes kept once it is empty: a burst
// that had a large window outstanding grows it to the window, and a
// connection idle after it should not hold that.
const keepSizes = 64

// pop removes the oldest k sizes; there must be that many.
func (q *sizes) pop(k uint64) {
	for ; k > 0; k-- {
		q.total -= uint64(q.ring[q.head])
		q.head = (q.head + 1) % len(q.ring)
		q.n--
	}
	if q.n == 0 {
		q.head = 0
		if len(q.ring) > keepSizes {
			q.ring = nil
		}
	}
}
