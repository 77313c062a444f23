package natsconn

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// kind is the first byte of every natsconn message. PROTOCOL.md gives the
// layouts.
type kind byte

const (
	kindDial   kind = 1 // dialer to a listener's subject; the reply subject is the dialer's inbox
	kindAccept kind = 2 // listener to the dialer's inbox: the dial is accepted
	kindRefuse kind = 3 // listener to the dialer's inbox: the dial is refused
	kindData   kind = 4 // bytes, or none: then it only acknowledges and opens the window
	kindPing   kind = 5 // asks the peer to answer at once
	kindFin    kind = 6 // the sender writes no more (CloseWrite)
	kindClose  kind = 7 // the sender writes no more and reads no more (Close)
	kindReset  kind = 8 // the sender broke the connection, for a reason
)

// asksAnswer reports whether the peer must acknowledge a message of kind k
// with data bytes in it, so that a lost one is noticed.
func (k kind) asksAnswer(data int) bool {
	return k == kindPing || k == kindFin || (k == kindData && data > 0)
}

// protocolVersion is the version dials and accepts carry.
const protocolVersion = 1

// header starts every message of an established connection. seq numbers
// the messages of one direction from 0; ack is how many messages this end
// has received from the peer; read is how many of the peer's data bytes
// this end's program has read, which opens the peer's window.
type header struct {
	kind           kind
	seq, ack, read uint64
}

// maxHeader is the longest encoded header.
const maxHeader = 1 + 3*binary.MaxVarintLen64

func appendHeader(b []byte, h header) []byte {
	b = append(b, byte(h.kind))
	b = binary.AppendUvarint(b, h.seq)
	b = binary.AppendUvarint(b, h.ack)
	return binary.AppendUvarint(b, h.read)
}

// parseHeader returns the header of an established connection's message
// and the payload after it.
func parseHeader(b []byte) (h header, payload []byte, err error) {
	if len(b) == 0 {
		return h, nil, errEmpty
	}
	h.kind, b = kind(b[0]), b[1:]
	if h.kind < kindData || h.kind > kindReset {
		return h, nil, fmt.Errorf("message of kind %d where a connection's message belongs", h.kind)
	}
	for _, f := range []*uint64{&h.seq, &h.ack, &h.read} {
		if *f, b, err = uvarint(b); err != nil {
			return h, nil, err
		}
	}
	switch {
	case h.kind == kindReset && len(b) != 1:
		return h, nil, fmt.Errorf("reset with %d bytes of payload, not 1", len(b))
	case h.kind != kindData && h.kind != kindReset && len(b) != 0:
		return h, nil, fmt.Errorf("message of kind %d with %d bytes of payload", h.kind, len(b))
	}
	return h, b, nil
}

// hello is a dial, an accept or a refusal. window is the sender's receive
// window in bytes and maxPayload the largest message its NATS server
// takes; an accept adds the listener's inbox for this connection and the
// subject that reaches that listener alone. A refusal has only a reason.
type hello struct {
	kind          kind
	version       byte
	window        uint64
	maxPayload    uint64
	inbox, resume string
	reason        reason
}

// maxSubject bounds the subjects a hello carries.
const maxSubject = 1024

func appendHello(b []byte, h hello) []byte {
	b = append(b, byte(h.kind))
	if h.kind == kindRefuse {
		return append(b, byte(h.reason))
	}
	b = append(b, h.version)
	b = binary.AppendUvarint(b, h.window)
	b = binary.AppendUvarint(b, h.maxPayload)
	if h.kind == kindAccept {
		for _, s := range []string{h.inbox, h.resume} {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

func parseHello(b []byte) (h hello, err error) {
	if len(b) < 2 {
		return h, fmt.Errorf("hello of %d bytes", len(b))
	}
	h.kind = kind(b[0])
	switch h.kind {
	case kindRefuse:
		if len(b) != 2 {
			return h, fmt.Errorf("refusal of %d bytes, not 2", len(b))
		}
		h.reason = reason(b[1])
		return h, nil
	case kindDial, kindAccept:
	default:
		return h, fmt.Errorf("message of kind %d where a hello belongs", h.kind)
	}
	h.version, b = b[1], b[2:]
	if h.window, b, err = uvarint(b); err != nil {
		return h, err
	}
	if h.maxPayload, b, err = uvarint(b); err != nil {
		return h, err
	}
	if h.kind == kindAccept {
		for _, s := range []*string{&h.inbox, &h.resume} {
			var n uint64
			if n, b, err = uvarint(b); err != nil {
				return h, err
			}
			if n == 0 || n > maxSubject || n > uint64(len(b)) {
				return h, fmt.Errorf("subject of %d bytes in an accept (%d left, at most %d)", n, len(b), maxSubject)
			}
			*s, b = string(b[:n]), b[n:]
		}
	}
	if len(b) != 0 {
		return h, fmt.Errorf("%d bytes after a hello", len(b))
	}
	return h, nil
}

var errEmpty = errors.New("empty message")

// uvarint reads a varint in its shortest encoding.
func uvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	switch {
	case n == 0:
		return 0, nil, errors.New("truncated varint")
	case n < 0:
		return 0, nil, errors.New("varint overflows 64 bits")
	case n > 1 && b[n-1] == 0:
		return 0, nil, errors.New("varint not in its shortest encoding")
	}
	return v, b[n:], nil
}
