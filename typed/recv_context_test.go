package typed_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A Recv waiting behind another Recv still ends with its own context: one
// receiver's wait does not hold another's.
func TestRecvHonoursContextBehindAnotherRecv(t *testing.T) {
	c, _ := pair[int](t)
	first := make(chan error, 1)
	go func() {
		_, err := c.Recv(ctxFor(t))
		first <- err
	}()
	// The first Recv waits for a value that does not come, so that the
	// second comes behind it.
	select {
	case err := <-first:
		t.Fatalf("first Recv returned with no value sent: %v", err)
	case <-time.After(testkit.Settle):
	}
	ctx, cancel := context.WithCancel(ctxFor(t))
	second := make(chan error, 1)
	go func() {
		_, err := c.Recv(ctx)
		second <- err
	}()
	cancel()
	if err, _ := testkit.Recv(t, second); !errors.Is(err, context.Canceled) {
		t.Fatalf("second Recv with a cancelled ctx: %v; want context.Canceled", err)
	}
	_ = c.Close()
	testkit.Recv(t, first)
}

// Several goroutines receiving at once get every value once between them,
// and each its io.EOF: a value that arrives while they all wait wakes one,
// and the one it woke passes the wake-up on when more came.
func TestConcurrentRecvsGetEveryValueOnce(t *testing.T) {
	t.Run("buffered", func(t *testing.T) { concurrentRecvs(t, 3000, netchan.WithBuffer(8)) })
	t.Run("rendezvous", func(t *testing.T) { concurrentRecvs(t, 500, netchan.Sync()) })
}

func concurrentRecvs(t *testing.T, values int, opt netchan.Option) {
	const receivers = 4
	c, d := pair[int](t, opt)
	ctx := ctxFor(t)
	got := make(chan []int, receivers)
	for range receivers {
		go func() {
			var mine []int
			for {
				v, err := c.Recv(ctx)
				if err != nil {
					if !errors.Is(err, io.EOF) {
						t.Errorf("Recv: %v", err)
					}
					got <- mine
					return
				}
				mine = append(mine, v)
			}
		}()
	}
	for i := range values {
		if err := d.Send(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.CloseSend(); err != nil {
		t.Fatal(err)
	}
	seen := make([]bool, values)
	for range receivers {
		mine, _ := testkit.Recv(t, got)
		for _, v := range mine {
			if seen[v] {
				t.Fatalf("value %d received twice", v)
			}
			seen[v] = true
		}
	}
	for v, ok := range seen {
		if !ok {
			t.Fatalf("value %d never received", v)
		}
	}
}
