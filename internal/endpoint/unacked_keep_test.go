package endpoint_test

import (
	"runtime"
	"testing"
	"weak"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/testkit"
)

type payload struct{ B []byte }

// A value the peer's program took is let go of although its credit came
// while a send held the lock of the values kept, and no send follows:
// a sender gone quiet keeps nothing of its program's alive.
func TestValueAcknowledgedWhileASendHeldTheLockIsLetGo(t *testing.T) {
	l, d := pair[*payload](t, netchan.WithBuffer(4))
	ctx := ctxFor(t)
	v := &payload{B: make([]byte, 1024)}
	sent := weak.Make(v)
	if err := d.Send(ctx, v); err != nil {
		t.Fatal(err)
	}
	v = nil
	release := endpoint.HoldSendLock(d)
	if _, err := l.Recv(ctx); err != nil {
		release()
		t.Fatal(err)
	}
	testkit.Eventually(t, "the credit to come", func() bool { return endpoint.Acks(d) == 1 })
	release()
	testkit.Eventually(t, "the value acknowledged to be let go of", func() bool {
		runtime.GC()
		return sent.Value() == nil
	})
	if err := d.Err(); err != nil {
		t.Fatalf("the value was let go of only as the connection ended: %v", err)
	}
}
