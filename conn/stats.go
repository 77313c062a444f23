package conn

import "time"

// SessionStats are a session's counters, as [Session.Stats] reads them.
type SessionStats struct {
	// BytesSent counts the bytes of numbered frames this end queued: the
	// values with their framing, credits, closes, opens. A frame counts
	// once, however many connections a resume sent it on; TLS, TCP, acks
	// and pings are not counted. The peer's BytesReceived reaches it once
	// everything arrived.
	BytesSent uint64
	// BytesReceived counts the bytes of numbered frames that arrived.
	BytesReceived uint64
	// RTT is the latest round trip measured: see rttProbe. 0 until one
	// was.
	RTT time.Duration
	// Resumes counts the connections the session resumed on.
	Resumes int
}

// Stats returns the session's counters. It takes the session's lock once;
// the data path pays nothing for them but a round-trip probe on one batch
// in probeEvery and a clock reading around each wait for credits.
func (s *Session) Stats() SessionStats {
	received := s.received.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	return SessionStats{
		BytesSent:     s.log.end(),
		BytesReceived: received,
		RTT:           s.rtt.last,
		Resumes:       s.resumes,
	}
}

// StreamStats are one stream's counters, as [Stream.Stats] reads them.
type StreamStats struct {
	Sent        uint64        // values this end sent
	Arrived     uint64        // values that arrived from the peer
	Taken       uint64        // of those, values this end's program took
	Outstanding int           // values sent that the peer's program has not taken
	CreditWait  time.Duration // how long sends waited for the peer's credits
}

// Stats returns the stream's counters.
func (st *Stream) Stats() StreamStats {
	return StreamStats{
		Sent:        st.send.Sent(),
		Arrived:     st.recv.Arrived(),
		Taken:       st.recv.Taken(),
		Outstanding: st.send.Outstanding(),
		CreditWait:  time.Duration(st.waited.Load()),
	}
}

// waitedSince counts the time since start as spent waiting for credits.
// Only sends that wait call it: they are about to sleep, or just woke, so
// reading the clock costs them nothing they would notice.
func (st *Stream) waitedSince(start time.Time) {
	st.waited.Add(int64(time.Since(start)))
}

// rttProbe measures the round trip one numbered frame at a time: the writer
// notes the session offset at the end of a batch it is about to write and
// the time, if no probe is out and probeEvery batches were written since
// the last sample, or none was taken yet; the reader, on an ack that covers
// that offset, takes the time elapsed. The peer acknowledges with the next batch
// it writes, which follows at once while values flow, so the sample is the
// network's round trip plus the time the frames waited in the two ends'
// queues; a peer with nothing to write may hold its ack until it next
// writes (credits as its program takes values, at the latest a ping), and
// the sample then says so. The session's mu guards it.
type rttProbe struct {
	until   uint64    // the offset an ack must reach; 0: no probe out
	sent    time.Time // when the batch ending there was about to be written
	last    time.Duration
	batches int // written since the last sample
}

// probeEvery is how many batches a session writes per probe at most. A
// rendezvous session writes a batch per value, and a probe costs two
// readings of the clock: one probe per batch would be most of what stats
// cost a round trip.
const probeEvery = 16

// written is called as a batch ending at session offset end is about to
// be written.
func (p *rttProbe) written(end uint64) {
	if p.until != 0 {
		return
	}
	if p.batches++; p.batches < probeEvery && p.last != 0 {
		return
	}
	p.batches = 0
	p.until, p.sent = end, time.Now()
}

// acked is called for an ack of n bytes.
func (p *rttProbe) acked(n uint64) {
	if p.until != 0 && n >= p.until {
		p.last = max(time.Since(p.sent), 1) // 0 means no sample
		p.until = 0
	}
}

// reset drops the probe out on a connection that broke: the peer may have
// lost its frame, and the ack that comes would time the outage.
func (p *rttProbe) reset() { p.until = 0 }
