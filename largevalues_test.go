package netchan_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// Values near the largest size fill the byte budget of the window before
// its count: the values the Dial's receive channel buffers, whose credits
// it withholds, must still leave the sender room for the next, or the
// stream stops while the program is receiving.
func TestLargeValuesKeepFlowing(t *testing.T) {
	const n, size = 40, 1 << 20
	ctx, cancel := context.WithCancel(context.Background())
	ln := testkit.Loopback(t)
	opts := []netchan.Option{netchan.Insecure(), netchan.WithBuffer(256), netchan.WithMaxMessageSize(32 << 20)}
	ls, lr, err := netchan.Listen[[]byte](ctx, "", append(opts, netchan.WithListener(ln))...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); drain(lr) }()
	ds, dr, err := netchan.Dial[[]byte](ctx, ln.Addr().String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer close(ds)
	go func() {
		for i := range n {
			select {
			case ls <- bytes.Repeat([]byte{byte(i)}, size):
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range n {
		v, ok := testkit.Recv(t, dr)
		if !ok || len(v) != size || v[0] != byte(i) || v[size-1] != byte(i) {
			t.Fatalf("value %d: got %d bytes starting %v (open %v); want %d bytes of %d", i, len(v), v[:min(len(v), 1)], ok, size, i)
		}
	}
}
