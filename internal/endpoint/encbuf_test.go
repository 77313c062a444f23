package endpoint

import (
	"context"
	"testing"
)

// A connection back to small values gives up the buffer a large one grew.
func TestEncodeBufferGivenUpAfterLargeValue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, d := insidePair[[]byte](t, ctx)
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
