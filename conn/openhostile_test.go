package conn

import (
	"testing"

	"github.com/netchan/netchan/internal/wire"
)

// A peer's open frame of the largest capacity an end takes costs that end
// nothing until values come: the stream's inbox holds room for what
// arrived, not for its window.
func TestOpenCapacityCostsWhatArrives(t *testing.T) {
	s, p, _ := rawDialer(t, testConfig(), testConfig(), nil)
	ctx := patience(t)
	p.write(openFrame(3, MaxOpenCapacity, "m"))
	const sent = 5
	for i := range sent {
		p.write(dataFrame(3, uint64(i), "v"))
	}
	st, err := s.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Capacity() != MaxOpenCapacity {
		t.Fatalf("capacity %d, want %d", st.Capacity(), MaxOpenCapacity)
	}
	for i := range sent {
		m, err := st.Next(ctx)
		if err != nil {
			t.Fatalf("value %d: %v", i, err)
		}
		m.Release()
	}
	in := st.Inbox().(*byteInbox)
	in.mu.Lock()
	room := cap(in.queue)
	in.mu.Unlock()
	if room > 2*sent {
		t.Fatalf("the inbox has room for %d values after %d arrived", room, sent)
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
