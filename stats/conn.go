package stats

import "time"

// Conn is what one connection did, from its start, across the network
// connections its session resumed on. The counts are of its main
// direction pair, the values of the connection's type; bytes count the
// whole session.
type Conn struct {
	// ValuesSent counts the values this end sent, once each, whatever a
	// resume sent again.
	ValuesSent uint64 `json:"values_sent"`
	// ValuesReceived counts the values that arrived from the peer,
	// including those this end's program has not taken yet.
	ValuesReceived uint64 `json:"values_received"`
	// BytesSent counts the bytes of the frames this end sent that carry
	// the session: values with their framing, credits, closes. Each counts
	// once, however many network connections a resume sent it on; TLS,
	// TCP, acknowledgements and pings do not count. Once everything
	// arrived, the peer's BytesReceived equals it.
	BytesSent uint64 `json:"bytes_sent"`
	// BytesReceived counts the bytes of such frames that arrived.
	BytesReceived uint64 `json:"bytes_received"`
	// InFlight is how many values this end sent whose credits the peer
	// has not returned: at most the capacity. A credit says the peer's
	// program took the value, but credits come back in groups: at once
	// when the peer's program has taken every value that arrived, and
	// otherwise once a quarter of the capacity is owed. So InFlight may
	// exceed what the peer's program has still to receive by less than a
	// quarter of the capacity, and by nothing once it took every value.
	//
	// Through the channel API, a value the peer's receive pump put in its
	// buffered receive channel counts as not received until the peer learns
	// that its program took it out, which it does as later values go in
	// (on a Listen channel, also while this end may wait for room). So
	// once values stop, InFlight may stay up to the size of the peer's
	// receive channel (cap of it) and a quarter of the capacity above the
	// values its program has still to receive. Values in a send channel's
	// buffer have not been sent: they count in neither ValuesSent nor
	// InFlight.
	InFlight int `json:"in_flight"`
	// CreditWait is how long sends waited for the peer's credits: for room
	// in the window while the capacity was used up, and, in rendezvous
	// mode, for the peer's program to take each value. Sends that found
	// room add nothing. A Listen client of the channel API sends only what
	// the listener had room for, so its sends never wait: the listener's
	// channel does.
	CreditWait time.Duration `json:"credit_wait_ns"`
	// RTT is the latest round trip measured, 0 until one was: the time
	// from writing a batch of frames to reading the peer's acknowledgement
	// of it, sampled, one batch at a time and at most one in 16. The peer
	// acknowledges with the next frames it writes, at once while values
	// flow, so RTT is then the network's round trip plus the time frames
	// waited in the two ends' queues; a peer with nothing to say holds its
	// acknowledgement until it next writes, as its program takes values
	// or, on a quiet connection, for its keepalive, and the figure
	// includes that wait.
	RTT time.Duration `json:"rtt_ns"`
	// Resumes counts the network connections the session resumed on
	// after a cut.
	Resumes int `json:"resumes"`
}

// add adds c's counts to t's; RTT becomes the larger.
func (t *Conn) add(c Conn) {
	t.ValuesSent += c.ValuesSent
	t.ValuesReceived += c.ValuesReceived
	t.BytesSent += c.BytesSent
	t.BytesReceived += c.BytesReceived
	t.InFlight += c.InFlight
	t.CreditWait += c.CreditWait
	t.RTT = max(t.RTT, c.RTT)
	t.Resumes += c.Resumes
}
