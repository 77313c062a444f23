package conn

import (
	"strings"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
	nsync "github.com/netchan/netchan/sync"
)

// ids names streams from the raw peer's side: peer(k) is the k-th stream
// it may open (from 1), own(k) the k-th the Session may, wrong an id of
// the Session's parity the peer may not open.
type ids struct {
	peer, own func(k int) uint32
}

func idsOf(peer wire.Role) ids {
	first := map[wire.Role]uint32{wire.RoleDialer: 3, wire.RoleListener: 2}
	return ids{
		peer: func(k int) uint32 { return first[peer] + 2*uint32(k-1) },
		own:  func(k int) uint32 { return first[3-peer] + 2*uint32(k-1) },
	}
}

// protocolCases are frames a Session of testConfig (capacity 2, values of
// at most 1024 bytes, 16 streams) must refuse, each with the errors its end
// must wrap.
var protocolCases = []struct {
	name   string
	frames func(ids) [][]byte
	want   []error
}{
	{"unknown kind", fixed([]byte{0, 0, 0, 0, 11, 0, 0, 0, 0}), []error{ErrProtocol, wire.ErrMalformed}},
	{"kind zero", fixed([]byte{0, 0, 0, 1, 0, 0, 0, 0, 1, 0}), []error{ErrProtocol, wire.ErrMalformed}},
	{"data for a stream never opened", func(i ids) [][]byte { return [][]byte{dataFrame(i.peer(1), 0, "v")} }, []error{ErrProtocol}},
	{"data for a stream of the session never opened", func(i ids) [][]byte { return [][]byte{dataFrame(i.own(1), 0, "v")} }, []error{ErrProtocol}},
	{"data on stream 0", fixed(dataFrame(0, 0, "v")), []error{ErrProtocol}},
	{"credit for a stream never opened", func(i ids) [][]byte { return [][]byte{countFrame(wire.KindCredit, i.peer(1), 1)} }, []error{ErrProtocol}},
	{"close for a stream never opened", fixed(countFrame(wire.KindClose, 0xFFFFFFFF, 0)), []error{ErrProtocol}},
	{"data beyond the window", fixed(dataFrame(1, 0, "a"), dataFrame(1, 1, "b"), dataFrame(1, 2, "c")), []error{ErrProtocol, nsync.ErrOverrun}},
	{"data beyond an opened stream's window", func(i ids) [][]byte {
		return [][]byte{openFrame(i.peer(1), 1, ""), dataFrame(i.peer(1), 0, "a"), dataFrame(i.peer(1), 1, "b")}
	}, []error{ErrProtocol, nsync.ErrOverrun}},
	{"data out of sequence", fixed(dataFrame(1, 1, "b")), []error{ErrProtocol, nsync.ErrSequence}},
	{"data repeated", fixed(dataFrame(1, 0, "a"), dataFrame(1, 0, "a")), []error{ErrProtocol, nsync.ErrSequence}},
	{"credit for values never sent", fixed(countFrame(wire.KindCredit, 1, 1)), []error{ErrProtocol, nsync.ErrOverGrant}},
	{"zero credit", fixed(countFrame(wire.KindCredit, 1, 0)), []error{ErrProtocol, nsync.ErrOverGrant}},
	{"second close", fixed(countFrame(wire.KindClose, 1, 0), countFrame(wire.KindClose, 1, 0)), []error{ErrProtocol, nsync.ErrAfterClose}},
	{"data after close", fixed(countFrame(wire.KindClose, 1, 0), dataFrame(1, 0, "late")), []error{ErrProtocol, nsync.ErrAfterClose}},
	{"close count mismatch", fixed(dataFrame(1, 0, "a"), countFrame(wire.KindClose, 1, 3)), []error{ErrProtocol, nsync.ErrCloseCount}},
	{"ack beyond what was sent", fixed(countFrame(wire.KindAck, 0, 1)), []error{ErrProtocol}},
	{"ack with trailing bytes", fixed(frameBytes(wire.KindAck, 0, []byte{0, 0})), []error{ErrProtocol, wire.ErrMalformed}},
	{"open of the session's parity", func(i ids) [][]byte { return [][]byte{openFrame(i.own(1), 1, "")} }, []error{ErrProtocol}},
	{"open out of order", func(i ids) [][]byte { return [][]byte{openFrame(i.peer(2), 1, "")} }, []error{ErrProtocol}},
	{"open twice", func(i ids) [][]byte { return [][]byte{openFrame(i.peer(1), 1, ""), openFrame(i.peer(1), 1, "")} }, []error{ErrProtocol}},
	{"open of the main stream", fixed(openFrame(MainStream, 1, "")), []error{ErrProtocol}},
	{"open of stream 0", fixed(openFrame(0, 1, "")), []error{ErrProtocol}},
	{"open beyond MaxStreams", func(i ids) [][]byte {
		var b [][]byte
		for k := 1; k <= 17; k++ {
			b = append(b, openFrame(i.peer(k), 1, ""))
		}
		return b
	}, []error{ErrLimit}},
	{"open with a capacity out of range", func(i ids) [][]byte {
		return [][]byte{frameBytes(wire.KindOpen, i.peer(1), []byte{0x80, 0x80, 0x80, 0x01, 0})}
	}, []error{ErrProtocol, wire.ErrMalformed}},
	{"open with meta too long", func(i ids) [][]byte {
		return [][]byte{openFrame(i.peer(1), 1, strings.Repeat("m", wire.MaxMeta+1))}
	}, []error{ErrProtocol}},
	{"streams beyond what was announced", fixed(countFrame(wire.KindStreams, 0, 1)), []error{ErrProtocol}},
	{"zero streams", fixed(countFrame(wire.KindStreams, 0, 0)), []error{ErrProtocol}},
	{"oversized credit", fixed(header(wire.KindCredit, 1, 0xFFFFFFFF)), []error{ErrProtocol}},
	{"oversized ping", fixed(header(wire.KindPing, 0, maxControl+1)), []error{ErrProtocol}},
	{"oversized ack", fixed(header(wire.KindAck, 0, maxControl+1)), []error{ErrProtocol}},
	{"oversized goaway", fixed(header(wire.KindGoAway, 0, maxControl+1)), []error{ErrProtocol}},
	{"oversized open", func(i ids) [][]byte { return [][]byte{header(wire.KindOpen, i.peer(1), 2*maxControl+wire.MaxMeta+1)} }, []error{ErrProtocol}},
	{"hello after the handshake", fixed(helloFrame(honestHello(testConfig(), wire.RoleDialer))), []error{ErrProtocol}},
	{"data without a sequence number", fixed(frameBytes(wire.KindData, 1, nil)), []error{ErrProtocol, wire.ErrMalformed}},
	{"credit with trailing bytes", fixed(frameBytes(wire.KindCredit, 1, []byte{1, 0})), []error{ErrProtocol, wire.ErrMalformed}},
	{"ping with a payload", fixed(frameBytes(wire.KindPing, 0, []byte{0})), []error{ErrProtocol}},
	{"malformed goaway", fixed(frameBytes(wire.KindGoAway, 0, []byte{0, 9, 'x'})), []error{ErrProtocol, wire.ErrMalformed}},
	{"value one byte above MaxValue", fixed(dataFrame(1, 0, strings.Repeat("v", 1025))), []error{ErrTooLarge}},
	{"4 GiB data frame", fixed(header(wire.KindData, 1, 0xFFFFFFFF)), []error{ErrTooLarge}},
	{"4 GiB open frame", fixed(header(wire.KindOpen, 3, 0xFFFFFFFF)), []error{ErrProtocol}},
	{"values for a stream never opened", func(i ids) [][]byte { return [][]byte{valuesFrame(i.peer(1), 0, "a", "b")} }, []error{ErrProtocol}},
	{"values for a stream of the session never opened", func(i ids) [][]byte { return [][]byte{valuesFrame(i.own(1), 0, "a", "b")} }, []error{ErrProtocol}},
	{"values on stream 0", fixed(valuesFrame(0, 0, "a", "b")), []error{ErrProtocol}},
	{"values out of sequence", fixed(valuesFrame(1, 1, "b", "c")), []error{ErrProtocol, nsync.ErrSequence}},
	{"values repeating data", fixed(dataFrame(1, 0, "a"), valuesFrame(1, 0, "a", "b")), []error{ErrProtocol, nsync.ErrSequence}},
	{"values beyond the window", fixed(valuesFrame(1, 0, "a", "b", "c")), []error{ErrProtocol, nsync.ErrOverrun}},
	{"values beyond the window after data", fixed(dataFrame(1, 0, "a"), valuesFrame(1, 1, "b", "c")), []error{ErrProtocol, nsync.ErrOverrun}},
	{"values beyond an opened stream's window", func(i ids) [][]byte {
		return [][]byte{openFrame(i.peer(1), 1, ""), valuesFrame(i.peer(1), 0, "a", "b")}
	}, []error{ErrProtocol, nsync.ErrOverrun}},
	{"values after close", fixed(countFrame(wire.KindClose, 1, 0), valuesFrame(1, 0, "a", "b")), []error{ErrProtocol, nsync.ErrAfterClose}},
	{"close count mismatch after values", fixed(valuesFrame(1, 0, "a", "b"), countFrame(wire.KindClose, 1, 1)), []error{ErrProtocol, nsync.ErrCloseCount}},
	{"values frame without a value", fixed(frameBytes(wire.KindValues, 1, []byte{0})), []error{ErrProtocol, wire.ErrMalformed}},
	{"empty values frame", fixed(frameBytes(wire.KindValues, 1, nil)), []error{ErrProtocol, wire.ErrMalformed}},
	{"values frame with a value truncated", fixed(frameBytes(wire.KindValues, 1, []byte{0, 1, 'a', 5, 'b'})), []error{ErrProtocol, wire.ErrMalformed}},
	{"values frame with an overlong length", fixed(frameBytes(wire.KindValues, 1, []byte{0, 0x81, 0, 'a'})), []error{ErrProtocol, wire.ErrMalformed}},
	{"value in a values frame one byte above MaxValue", fixed(valuesFrame(1, 0, "a", strings.Repeat("v", 1025))), []error{ErrTooLarge}},
	{"values frame a byte above its bound", fixed(header(wire.KindValues, 1, wire.MaxValuesPayload+1)), []error{ErrProtocol}},
	{"4 GiB values frame", fixed(header(wire.KindValues, 1, 0xFFFFFFFF)), []error{ErrProtocol}},
}

func fixed(frames ...[]byte) func(ids) [][]byte {
	return func(ids) [][]byte { return frames }
}

// Each violation ends the session, whichever its role and with resume
// on, with the error it names, and the peer reads a goaway that says so.
func TestProtocolViolations(t *testing.T) {
	for _, tc := range protocolCases {
		for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
			t.Run(tc.name+"/"+role.String(), func(t *testing.T) {
				s, p := sessionAndPeer(t, role, testConfig(), testConfig(), nil)
				bye := p.drain()
				p.tryWrite(tc.frames(idsOf(3 - role))...)
				err := ended(t, s)
				wantErr(t, tc.name, err, tc.want...)
				g, ok := testkit.Recv(t, bye)
				if !ok {
					t.Fatal("the session sent no goaway")
				}
				if want := codeOf(err); g.Code != want || want == wire.CodeNormal {
					t.Errorf("goaway code %s, want %s", g.Code, want)
				}
			})
		}
	}
}
