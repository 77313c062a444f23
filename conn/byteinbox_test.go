package conn

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// The inbox gives back every value in order and intact while arrivals and
// takes interleave, its buffers compacting and growing under them, and
// lets a large emptied buffer go.
func TestByteInboxOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	in := newByteInbox(64)
	var want [][]byte
	next := 0
	for range 5000 {
		if r.IntN(3) > 0 && len(want)-next < 64 {
			v := bytes.Repeat([]byte{byte(len(want))}, r.IntN(300))
			if err := in.Arrive([][]byte{v}); err != nil {
				t.Fatal(err)
			}
			want = append(want, v)
			continue
		}
		m, ok, closed := in.pop()
		if closed {
			t.Fatal("closed")
		}
		if ok != (next < len(want)) {
			t.Fatalf("pop %d: ok %v with %d waiting", next, ok, len(want)-next)
		}
		if !ok {
			continue
		}
		if !bytes.Equal(m.Value, want[next]) {
			t.Fatalf("value %d: %d bytes of %v, want %d of %v", next, len(m.Value), m.Value[:min(1, len(m.Value))], len(want[next]), want[next][:min(1, len(want[next]))])
		}
		m.Release()
		next++
	}
	for ; next < len(want); next++ {
		if m, ok, _ := in.pop(); !ok || !bytes.Equal(m.Value, want[next]) {
			t.Fatalf("value %d at the end: ok %v", next, ok)
		}
	}
	if fp := in.footprint(); fp > keepInbox {
		t.Fatalf("an emptied inbox keeps %d bytes", fp)
	}
	in.Close()
	if _, ok, closed := in.pop(); ok || !closed {
		t.Fatalf("after the close: ok %v, closed %v", ok, closed)
	}
	if err := fill(newByteInbox(64), 65); err == nil {
		t.Fatal("an inbox took more than its window")
	}
}

func fill(in *byteInbox, n int) error {
	for range n {
		if err := in.Arrive([][]byte{nil}); err != nil {
			return err
		}
	}
	return nil
}

// footprint returns the bytes the inbox holds in its buffers.
func (in *byteInbox) footprint() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return cap(in.data) + 4*cap(in.sizes)
}
