package sync

// A count of values alone does not bound memory: a window of n values of the
// largest size is n times that size. So the window is also bounded in bytes,
// by a budget both ends compute from the receiver's largest value, which
// each knows from the handshake: no value needs to travel for it.
//
// The sender counts every reservation as a value of the largest size until
// it commits the value's real size, or says it earlier (Sender.Sized), so
// the values outstanding never exceed the budget whatever happens
// concurrently; the receiver checks the bytes it holds against the same
// budget. With small values the budget never binds
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

// sizes is a queue of the sizes of values in order, with their sum. It
// keeps running sums rather than the sizes, so that popping many, as one
// credit frame does, is one step.
type sizes struct {
	sums  []uint64 // a ring: the sum of every size pushed, up to each
	head  int
	n     int
	in    uint64 // the sum of every size pushed
	total uint64 // of the sizes queued
}

func (q *sizes) push(size uint32) {
	if q.n == len(q.sums) {
		sums := make([]uint64, max(2*len(q.sums), 16))
		for i := range q.n {
			sums[i] = q.sums[q.at(i)]
		}
		q.sums, q.head = sums, 0
	}
	q.in += uint64(size)
	q.sums[q.at(q.n)] = q.in
	q.n++
	q.total += uint64(size)
}

// at returns the ring index of the i-th size queued, i <= n.
func (q *sizes) at(i int) int {
	if j := q.head + i; j < len(q.sums) {
		return j
	}
	return q.head + i - len(q.sums)
}

// keepSizes is the largest ring of sizes kept once it is empty: a burst
// that had a large window outstanding grows it to the window, and a
// connection idle after it should not hold that.
const keepSizes = 64

// pop removes the oldest k sizes; there must be that many.
func (q *sizes) pop(k uint64) {
	if k == 0 {
		return
	}
	last := q.at(int(k) - 1)
	q.total = q.in - q.sums[last]
	q.head, q.n = q.at(int(k)), q.n-int(k)
	if q.n == 0 {
		q.head = 0
		if len(q.sums) > keepSizes {
			q.sums = nil
		}
	}
}
