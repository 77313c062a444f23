package endpoint

import (
	"context"
	"net"
	"testing"

	"github.com/netchan/netchan/internal/options"
)

// A connection back to small values gives up the buffer a large one grew.
func TestEncodeBufferGivenUpAfterLargeValue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := options.New(func(s *options.Settings) { s.Insecure = true; s.Listener = ln })
	l, err := ListenWith[[]byte](ctx, "", o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d, err := DialWith[[]byte](ctx, ln.Addr().String(), options.New(func(s *options.Settings) { s.Insecure = true }))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		for {
			if _, err := c.Recv(ctx); err != nil {
				return
			}
		}
	}()
	if err := d.Send(ctx, make([]byte, 512<<10)); err != nil {
		t.Fatal(err)
	}
	big := cap(d.encBuf)
	for range 10 {
		if err := d.Send(ctx, []byte("small")); err != nil {
			t.Fatal(err)
		}
	}
	if cap(d.encBuf) > keepEncodeBuffer {
		t.Fatalf("after small values the encode buffer still has cap %d (was %d after the large one)", cap(d.encBuf), big)
	}
}
