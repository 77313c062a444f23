package natsconn

import (
	"bytes"
	"testing"
)

func seedHeaders() [][]byte {
	return [][]byte{
		append(appendHeader(nil, header{kind: kindData, seq: 7, ack: 300, read: 1 << 40}), "bytes"...),
		appendHeader(nil, header{kind: kindData}),
		appendHeader(nil, header{kind: kindPing, seq: 1}),
		appendHeader(nil, header{kind: kindFin, seq: 2, ack: 2}),
		appendHeader(nil, header{kind: kindClose, seq: 1 << 63}),
		append(appendHeader(nil, header{kind: kindReset, seq: 3}), byte(reasonLost)),
	}
}

func seedHellos() [][]byte {
	return [][]byte{
		appendHello(nil, hello{kind: kindDial, version: protocolVersion, window: recvWindow, maxPayload: 1 << 20}),
		appendHello(nil, hello{kind: kindAccept, version: protocolVersion, window: recvWindow, maxPayload: 1 << 20, inbox: "_INBOX.x.1", resume: "_INBOX.x.dial"}),
		appendHello(nil, hello{kind: kindRefuse, reason: reasonBacklog}),
	}
}

// Every message the encoders make parses back to itself.
func TestMessagesRoundTrip(t *testing.T) {
	for _, b := range seedHeaders() {
		h, payload, err := parseHeader(b)
		if err != nil {
			t.Fatalf("%x: %v", b, err)
		}
		if again := append(appendHeader(nil, h), payload...); !bytes.Equal(again, b) {
			t.Fatalf("%x parsed as %+v, encoded again as %x", b, h, again)
		}
	}
	for _, b := range seedHellos() {
		h, err := parseHello(b)
		if err != nil {
			t.Fatalf("%x: %v", b, err)
		}
		if again := appendHello(nil, h); !bytes.Equal(again, b) {
			t.Fatalf("%x parsed as %+v, encoded again as %x", b, h, again)
		}
	}
	for _, bad := range [][]byte{
		nil,
		{byte(kindData)},                    // truncated
		{byte(kindData), 0x80, 0x00, 0, 0},  // overlong varint
		{byte(kindPing), 0, 0, 0, 'x'},      // a ping with a payload
		{byte(kindReset), 0, 0, 0},          // a reset without its reason
		{byte(kindDial), 0, 0, 0},           // a hello where a header belongs
		{byte(kindAccept), 1, 1, 1, 0, 0},   // empty subjects
		{byte(kindAccept), 1, 1, 1, 5, 'a'}, // a subject longer than the message
		{byte(kindRefuse), byte(reasonBacklog), 0},
	} {
		if _, _, err := parseHeader(bad); err == nil {
			if _, err := parseHello(bad); err == nil {
				t.Errorf("%x parsed", bad)
			}
		}
	}
}

// Any bytes either fail to parse or parse to a message that encodes back
// to the same bytes: one encoding per message.
func FuzzParseHeader(f *testing.F) {
	for _, b := range seedHeaders() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, payload, err := parseHeader(b)
		if err != nil {
			return
		}
		if again := append(appendHeader(nil, h), payload...); !bytes.Equal(again, b) {
			t.Fatalf("%x parsed as %+v, encoded again as %x", b, h, again)
		}
	})
}

func FuzzParseHello(f *testing.F) {
	for _, b := range seedHellos() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHello(b)
		if err != nil {
			return
		}
		if again := appendHello(nil, h); !bytes.Equal(again, b) {
			t.Fatalf("%x parsed as %+v, encoded again as %x", b, h, again)
		}
	})
}
