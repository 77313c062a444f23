package testkit

import (
	"bytes"
	"net"
	"slices"
	"testing"
	"time"
)

const (
	splitWrites = 100
	splitEach   = 3
	splitMax    = 16
)

// splitPieces relays splitWrites writes of splitEach bytes, held by a
// stall until all have arrived, through a proxy that splits with seed, to
// a pipe whose reads each see one of the proxy's writes. It returns the
// sizes of the pieces that carried them.
func splitPieces(t *testing.T, seed uint64) []int {
	t.Helper()
	// The proxy's listener goes unused: the test hands it a connection.
	p := NewProxy(t, "127.0.0.1:1", WithSplit(seed, splitMax))
	client, in := net.Pipe()
	out, server := net.Pipe()
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		p.run(in, out)
	}()
	defer func() {
		_ = client.Close()
		_ = server.Close()
		<-ran
	}()
	deadline := time.Now().Add(Patience)
	_ = client.SetDeadline(deadline)
	_ = server.SetDeadline(deadline)

	p.Stall(true)
	var data []byte
	for i := range splitWrites + 1 {
		w := bytes.Repeat([]byte{byte(i)}, splitEach)
		data = append(data, w...)
		// A pipe's write returns once the proxy has read it, so this
		// loop's last write, which no piece is checked against, shows
		// that all the writes before it are held.
		if _, err := client.Write(w); err != nil {
			t.Fatal(err)
		}
	}
	p.Stall(false)

	var got []byte
	var pieces []int
	buf := make([]byte, 1024)
	for len(got) < splitWrites*splitEach {
		n, err := server.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes in %d pieces: %v", len(got), len(pieces), err)
		}
		got = append(got, buf[:n]...)
		if len(got) <= splitWrites*splitEach {
			pieces = append(pieces, n)
		}
	}
	if !isPrefix(got, data) {
		t.Fatalf("the pieces changed the bytes: %v", got)
	}
	return pieces
}

func TestProxySplitsAndCoalesces(t *testing.T) {
	pieces := splitPieces(t, 1)
	split, spanned := false, false
	end := 0
	for _, n := range pieces {
		if n > splitMax {
			t.Fatalf("a piece of %d bytes, with pieces of at most %d", n, splitMax)
		}
		start := end
		end += n
		split = split || end%splitEach != 0
		spanned = spanned || start/splitEach != (end-1)/splitEach
	}
	if !split || !spanned {
		t.Fatalf("pieces %v: some end inside a write: %v; some span writes: %v", pieces, split, spanned)
	}

	if again := splitPieces(t, 1); !slices.Equal(again, pieces) {
		t.Fatalf("the same seed gave pieces %v, then %v", pieces, again)
	}
	if other := splitPieces(t, 2); slices.Equal(other, pieces) {
		t.Fatalf("seeds 1 and 2 gave the same pieces %v", pieces)
	}
}
