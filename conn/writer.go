package conn

import (
	"net"
	"runtime"
	"slices"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// keepBuffer is the largest queue buffer the writer keeps once traffic is
// light. A larger one serves bursts, and is dropped after leanBatches
// batches in a row that used under a quarter of keepBuffer: not after one,
// or traffic that alternates large and small batches would grow a buffer
// again and again.
const (
	keepBuffer  = 64 << 10
	leanBatches = 64
)

// writer batches frames. Any goroutine appends frames to the queue under mu;
// the writer goroutine swaps the queue for an empty buffer and writes the
// whole batch in one call. Credits are kept as counts per stream and become
// frames only at swap time, so a burst of takes costs one small frame.
type writer struct {
	nc      net.Conn
	wake    chan struct{} // capacity 1: a pending wake-up is enough
	stall   time.Duration // a write that takes longer fails; 0: no bound
	batches atomic.Uint64 // batches written, for the watchdog

	mu      gosync.Mutex
	queue   []byte
	spare   []byte // the buffer the next swap puts in the queue's place
	credits []credit
	lean    int          // batches in a row that used little of a large buffer
	trim    *time.Timer  // gives up the buffers once the connection is quiet
	space   *gosync.Cond // signalled when the queue was taken, or on closing
	closing bool         // a final frame was queued; nothing more is accepted
	err     error        // the first write error
	busy    bool         // a batch is being written, by run or by a caller
	now     bool         // callers write small frames themselves when idle
	large   bool         // the last batch was larger than inlineMax
}

type credit struct {
	stream uint32
	n      uint64
}

func newWriter(nc net.Conn, stall time.Duration) *writer {
	w := &writer{nc: nc, wake: make(chan struct{}, 1), stall: stall}
	w.space = gosync.NewCond(&w.mu)
	return w
}

func (w *writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// maxQueued is how many bytes of data frames may wait for the writer. A
// sender with credit for many large values would otherwise encode them all
// into the queue at once, far ahead of what the network takes: memory for
// nothing, and slower, since the queue outgrows the caches.
const maxQueued = 1 << 20

// data queues n data frames, of value(0) to value(n-1) numbered from seq,
// first waiting while maxQueued bytes wait for the writer. It reports false
// when the writer is closing.
func (w *writer) data(stream uint32, seq uint64, n int, value func(i int) []byte) bool {
	w.mu.Lock()
	for len(w.queue) > maxQueued && !w.closing {
		w.space.Wait()
	}
	if w.closing {
		w.mu.Unlock()
		return false
	}
	for i := range n {
		start := len(w.queue)
		w.queue = wire.AppendHeader(w.queue, wire.Header{Kind: wire.KindData, Stream: stream})
		w.queue = wire.AppendDataPrefix(w.queue, seq+uint64(i))
		w.queue = append(w.queue, value(i)...)
		wire.PutLength(w.queue, start, len(w.queue)-start-wire.HeaderSize)
	}
	w.releaseLocked()
	return true
}

// inlineMax is the largest batch a caller writes itself. A caller must not
// be held up by a peer slow to read, nor miss its context's end in a long
// write: a small batch after small batches fits the socket's buffer, so
// the write does not wait for the peer, and a rendezvous peer cannot have
// many unread.
const inlineMax = 4 << 10

// releaseLocked unlocks mu after frames were queued, and sees them written:
// by the writer goroutine, or at once by the caller on a connection that
// writes now, when no other write is under way and the batch is small.
func (w *writer) releaseLocked() {
	if !w.now || w.busy || w.closing || w.large || len(w.queue) > inlineMax {
		w.mu.Unlock()
		w.signal()
		return
	}
	batch := w.takeLocked()
	w.busy = true
	w.mu.Unlock()
	err := w.write(batch)
	w.mu.Lock()
	w.doneLocked(batch, err)
	w.busy = false
	more := len(w.queue) > 0 || len(w.credits) > 0 || w.err != nil
	w.mu.Unlock()
	if more {
		w.signal()
	}
}

// takeLocked swaps the queue for the spare buffer. The deadline is set
// under mu so that a close, which sets its own shorter one after queuing its
// final frame, always has the last word.
func (w *writer) takeLocked() []byte {
	w.flushCreditsLocked()
	if len(w.queue) == 0 {
		// Swapping an empty queue would only trade a grown buffer for the
		// spare, and the shrinking rule would then drop it.
		return nil
	}
	batch := w.queue
	w.queue = w.spare[:0]
	w.spare = nil
	w.space.Broadcast()
	if w.stall > 0 && !w.closing {
		// A peer that stops reading must not hold this end for ever.
		_ = w.nc.SetWriteDeadline(time.Now().Add(w.stall))
	}
	return batch
}

// stallChunk is how much of a batch one write deadline covers: the stall
// bound is about a peer that stops reading, not a slow one with a large
// batch to read.
const stallChunk = 256 << 10

func (w *writer) write(batch []byte) error {
	defer w.batches.Add(1)
	for len(batch) > stallChunk && w.stall > 0 {
		if _, err := w.nc.Write(batch[:stallChunk]); err != nil {
			return err
		}
		batch = batch[stallChunk:]
		w.mu.Lock()
		if !w.closing {
			_ = w.nc.SetWriteDeadline(time.Now().Add(w.stall))
		}
		w.mu.Unlock()
	}
	_, err := w.nc.Write(batch)
	return err
}

// doneLocked ends a write: it records an error and keeps the buffer for the
// next burst, unless traffic is light and it is large: then it lets it go,
// so a quiet connection holds little memory.
func (w *writer) doneLocked(batch []byte, err error) {
	if err != nil && w.err == nil {
		w.err = err
		w.closing = true
		w.space.Broadcast()
	}
	w.large = len(batch) > inlineMax
	w.lean++
	if len(batch) >= keepBuffer/4 {
		w.lean = 0
	}
	if cap(batch) <= keepBuffer || w.lean < leanBatches {
		w.spare = batch
	}
	if cap(w.spare)+cap(w.queue) > trimBelow && w.err == nil {
		if w.trim == nil {
			w.trim = time.AfterFunc(trimAfter, w.trimIdle)
		} else {
			w.trim.Reset(trimAfter)
		}
	}
}

// A connection quiet for trimAfter gives up its queue buffers when they
// hold more than trimBelow bytes, so that many connections quiet after a
// burst hold little memory.
const (
	trimAfter = time.Second
	trimBelow = 4 << 10
)

// trimIdle gives up the queue buffers if nothing waits to be written.
func (w *writer) trimIdle() {
	w.mu.Lock()
	if len(w.queue) == 0 {
		w.queue, w.spare = nil, nil
	}
	w.mu.Unlock()
}

// stopTrim stops the trim timer, once the writer has stopped.
func (w *writer) stopTrim() {
	w.mu.Lock()
	if w.trim != nil {
		w.trim.Stop()
	}
	w.mu.Unlock()
}

// count queues a frame whose payload is one count (close).
func (w *writer) count(kind wire.Kind, stream uint32, n uint64) bool {
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		return false
	}
	w.appendCountLocked(kind, stream, n)
	w.mu.Unlock()
	w.signal()
	return true
}

// grant adds n credits for stream to the next batch. A lazy grant is left
// for the next write, or for flushNow: see creditor.
func (w *writer) grant(stream uint32, n uint64, lazy bool) {
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		return
	}
	i := slices.IndexFunc(w.credits, func(c credit) bool { return c.stream == stream })
	if i >= 0 {
		w.credits[i].n += n
	} else {
		w.credits = append(w.credits, credit{stream, n})
	}
	if lazy {
		w.mu.Unlock()
		return
	}
	w.releaseLocked()
}

// flushNow sees what is queued written, as releaseLocked does.
func (w *writer) flushNow() {
	w.mu.Lock()
	if len(w.queue) == 0 && len(w.credits) == 0 {
		w.mu.Unlock()
		return
	}
	w.releaseLocked()
}

// goAway queues the final frame; later frames are refused.
func (w *writer) goAway(g wire.GoAway) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closing {
		return
	}
	w.flushCreditsLocked()
	start := len(w.queue)
	w.queue = wire.AppendHeader(w.queue, wire.Header{Kind: wire.KindGoAway})
	w.queue = wire.AppendGoAway(w.queue, g)
	wire.PutLength(w.queue, start, len(w.queue)-start-wire.HeaderSize)
	w.closing = true
	w.space.Broadcast()
	// The peer may have stopped reading: bound the last writes by the
	// linger, set under mu so that no stall deadline, older or newer,
	// replaces it.
	_ = w.nc.SetWriteDeadline(time.Now().Add(linger))
	w.signal()
}

func (w *writer) appendCountLocked(kind wire.Kind, stream uint32, n uint64) {
	start := len(w.queue)
	w.queue = wire.AppendHeader(w.queue, wire.Header{Kind: kind, Stream: stream})
	w.queue = wire.AppendCount(w.queue, n)
	wire.PutLength(w.queue, start, len(w.queue)-start-wire.HeaderSize)
}

func (w *writer) flushCreditsLocked() {
	for _, c := range w.credits {
		w.appendCountLocked(wire.KindCredit, c.stream, c.n)
	}
	w.credits = w.credits[:0]
}

// run writes batches until the final frame is written or a write fails. It
// returns the write error, if any.
func (w *writer) run() error {
	for {
		<-w.wake
		// Let goroutines that are ready to queue frames do so first: under
		// load this turns many small writes into one, and when idle it
		// costs a trip through the scheduler and nothing more.
		runtime.Gosched()
		w.mu.Lock()
		if w.busy {
			// A caller is writing; it wakes this goroutine again if
			// frames are left when it is done.
			w.mu.Unlock()
			continue
		}
		if w.err != nil {
			err := w.err // a caller's write failed
			w.mu.Unlock()
			return err
		}
		last := w.closing
		batch := w.takeLocked()
		if batch != nil {
			w.busy = true
		}
		w.mu.Unlock()
		if batch == nil {
			if last {
				return nil
			}
			continue
		}
		err := w.write(batch)
		w.mu.Lock()
		w.doneLocked(batch, err)
		w.busy = false
		w.mu.Unlock()
		if err != nil {
			return err
		}
		if last {
			return nil
		}
	}
}

// linger bounds how long a closing connection waits to flush its last frames
// to a peer that does not read.
const linger = 2 * time.Second
