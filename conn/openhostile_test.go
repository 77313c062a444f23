package conn

import (
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// A peer's open frame of the largest capacity an end takes costs that end
// nothing until values come, and the values waiting in its inbox cost
// less than their frames did on the wire, not room for the window.
func TestOpenCapacityCostsWhatArrives(t *testing.T) {
	s, p, _ := rawDialer(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	p.write(openFrame(3, MaxOpenCapacity, "m"))
	st, err := s.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Capacity() != MaxOpenCapacity {
		t.Fatalf("capacity %d, want %d", st.Capacity(), MaxOpenCapacity)
	}
	in := st.Inbox().(*byteInbox)
	if in.footprint() != 0 {
		t.Fatalf("the inbox holds %d bytes before any value arrived", in.footprint())
	}
	const sent = 200
	onWire := 0
	for i := range sent {
		f := dataFrame(3, uint64(i), "")
		onWire += len(f)
		p.write(f)
	}
	testkit.Eventually(t, "the values to arrive", func() bool { return in.Len() == sent })
	if in.footprint() > onWire {
		t.Fatalf("%d empty values sent in %d bytes hold %d bytes", sent, onWire, in.footprint())
	}
	for i := range sent {
		m, err := st.Next(ctx)
		if err != nil || len(m.Value) != 0 {
			t.Fatalf("value %d: %q, %v", i, m.Value, err)
		}
		m.Release()
	}
}

// An open frame above the largest capacity an end takes ends the session
// with ErrLimit, and a goaway of code limit to the peer.
func TestOpenAboveCapacityLimit(t *testing.T) {
	s, p, _ := rawDialer(t, testConfig(), testConfig(), nil)
	bye := p.drain()
	p.write(openFrame(3, wire.MaxCapacity, "m"))
	wantErr(t, "an open of capacity 2^20", ended(t, s), ErrLimit)
	if g := <-bye; g.Code != wire.CodeLimit {
		t.Fatalf("goaway code %d, want %d", g.Code, wire.CodeLimit)
	}
}
