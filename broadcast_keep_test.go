package netchan_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A broadcast listener keeps no value alive once every client took it,
// while it goes on: the values wait in a ring the clients share, which is
// cleared behind the last of them, not only once newer values replace
// them.
func TestBroadcastKeepsNoValueEveryClientTook(t *testing.T) {
	const clients, values = 3, 200
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	send, hellos, err := netchan.Listen[*[64]byte](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.Broadcast())
	if err != nil {
		t.Fatal(err)
	}
	var recvs []<-chan *[64]byte
	for range clients {
		s, r, err := netchan.Dial[*[64]byte](ctx, ln.Addr().String(), netchan.Insecure())
		if err != nil {
			t.Fatal(err)
		}
		testkit.Send(t, s, new([64]byte))
		close(s)
		testkit.Recv(t, hellos) // connected: it receives what follows
		recvs = append(recvs, r)
	}
	var wg sync.WaitGroup
	for _, r := range recvs {
		wg.Go(func() {
			for i := range values {
				if v, ok := testkit.Recv(t, r); !ok || v[0] != byte(i) {
					t.Errorf("value %d: got %v, %v", i, v, ok)
					return
				}
			}
		})
	}
	kept := make([]weak.Pointer[[64]byte], values)
	for i := range values {
		v := new([64]byte)
		v[0] = byte(i)
		kept[i] = weak.Make(v)
		testkit.Send(t, send, v)
	}
	wg.Wait()
	// A value or two may still be in a goroutine's stack; the ring holds 64.
	const allowed = 4
	alive := values
	for deadline := time.Now().Add(testkit.Patience); alive > allowed && time.Now().Before(deadline); {
		runtime.GC()
		alive = 0
		for _, w := range kept {
			if w.Value() != nil {
				alive++
			}
		}
	}
	if alive > allowed {
		t.Errorf("%d of the %d values every client took are still alive", alive, values)
	}
	close(send)
	for _, r := range recvs {
		if _, ok := testkit.Recv(t, r); ok {
			t.Error("a value after the last")
		}
	}
	cancel()
	for range hellos {
	}
}
