package endpoint

import (
	"errors"
	"strconv"
	"testing"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
)

// encodedInts returns the JSON encodings of from to from+n-1.
func encodedInts(from, n int) [][]byte {
	values := make([][]byte, n)
	for i := range values {
		values[i] = []byte(strconv.Itoa(from + i))
	}
	return values
}

// The values of one frame, more than Arrive decodes at a time, come out in
// their order, a value the codec refuses in its place as an error.
func TestInboxArriveOfAFrame(t *testing.T) {
	const n = 3*arriveChunk + 5
	in := newTestInbox(t, n)
	noTrim(in)
	values := encodedInts(0, n)
	bad := arriveChunk + 7
	values[bad] = []byte(`"not an int"`)
	if err := in.Arrive(values); err != nil {
		t.Fatalf("Arrive of %d values: %v", n, err)
	}
	if in.Len() != n {
		t.Fatalf("%d values wait after an Arrive of %d", in.Len(), n)
	}
	for i := range n {
		a, num, ok, _ := in.pop()
		switch {
		case !ok:
			t.Fatalf("value %d: none", i)
		case num != uint64(i):
			t.Fatalf("value %d numbered %d", i, num)
		case i == bad:
			if !errors.Is(a.err, ErrDecode) {
				t.Fatalf("value %d: %v, %v; want an ErrDecode", i, a.v, a.err)
			}
		case a.err != nil || a.v != i:
			t.Fatalf("value %d: %v, %v", i, a.v, a.err)
		}
	}
	if _, _, ok, _ := in.pop(); ok {
		t.Fatal("a value after the frame's")
	}
}

// A frame of more values than the window has room for is refused, alone
// or after values already waiting.
func TestInboxArriveBeyondTheWindow(t *testing.T) {
	in := newTestInbox(t, 4)
	if err := in.Arrive(encodedInts(0, 5)); !errors.Is(err, conn.ErrProtocol) {
		t.Fatalf("Arrive of 5 values in a window of 4: %v; want ErrProtocol", err)
	}
	in = newTestInbox(t, 2*arriveChunk)
	if err := in.Arrive(encodedInts(0, arriveChunk)); err != nil {
		t.Fatal(err)
	}
	if err := in.Arrive(encodedInts(arriveChunk, arriveChunk+1)); !errors.Is(err, conn.ErrProtocol) {
		t.Fatalf("Arrive of %d values with %d of a window of %d waiting: %v; want ErrProtocol", arriveChunk+1, arriveChunk, 2*arriveChunk, err)
	}
}

// A value beyond the codec's limits in a later part of a frame ends the
// connection, as it would alone, after the values before it, which data
// frames of their own would have delivered.
func TestInboxArriveHostileInAFrame(t *testing.T) {
	in := newTestInbox(t, 2*arriveChunk)
	values := encodedInts(0, 2*arriveChunk)
	deep := make([]byte, 0, 2*codec.MaxJSONDepth+2)
	for range codec.MaxJSONDepth + 1 {
		deep = append(deep, '[')
	}
	for range codec.MaxJSONDepth + 1 {
		deep = append(deep, ']')
	}
	values[arriveChunk+1] = deep
	if err := in.Arrive(values); !errors.Is(err, conn.ErrLimit) || !errors.Is(err, ErrDecode) {
		t.Fatalf("Arrive of a frame with a value beyond the limits: %v; want ErrLimit and ErrDecode", err)
	}
	if got := in.Len(); got != arriveChunk+1 {
		t.Errorf("%d values queued before the one beyond the limits; want %d", got, arriveChunk+1)
	}
}
