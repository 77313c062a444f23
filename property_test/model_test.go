package property_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestModel runs random sequences of sends, receives and closes on both
// directions of one connection and checks every outcome against a real Go
// channel of the same capacity per direction: a value received, a send or
// receive that must block, a closed channel. A send that the model says
// blocks stays pending, as a blocked goroutine would, until a receive frees
// room; it must then complete.
func TestModel(t *testing.T) {
	forEach(t, 5, func(t *rapid.T, s setup) {
		capacity := rapid.IntRange(0, 6).Draw(t, "capacity")
		srv, cli := connect[int](t, s, 1, netchan.WithBuffer(capacity)).pair()
		// On the channel API a Sync send completes once taken for sending,
		// with at most one value in flight: a Go channel of capacity 1.
		model := capacity
		if s.api == chanAPI {
			model = max(capacity, 1)
		}
		dirs := map[string]*direction{
			"down": newDirection(srv, cli, model),
			"up":   newDirection(cli, srv, model),
		}
		defer func() {
			for _, d := range dirs {
				d.abandon()
			}
		}()
		next := 0
		actions := map[string]func(*rapid.T){
			"": func(t *rapid.T) {
				for _, e := range []*end[int]{srv, cli} {
					if errs := e.errs.all(); len(errs) != 0 {
						t.Fatalf("OnError: %v", errs)
					}
				}
			},
		}
		for name, d := range dirs {
			// rapid picks actions uniformly: more names for sends and
			// receives keep a close from ending most runs early.
			for i := range 3 {
				actions[fmt.Sprintf("send %s %d", name, i)] = func(t *rapid.T) { next++; d.send(t, next) }
				actions[fmt.Sprintf("recv %s %d", name, i)] = d.recv
			}
			actions["close "+name] = d.close
		}
		t.Repeat(actions)
	})
}

// direction is one direction of a connection and its model: a Go channel
// of the same capacity, and the value of a sender blocked on it.
type direction struct {
	from, to *end[int]
	model    chan int
	closed   bool
	pending  *pendingSend
}

// pendingSend is a send the model says is blocked, running in a goroutine.
type pendingSend struct {
	v      int
	done   chan error
	cancel context.CancelFunc
}

func newDirection(from, to *end[int], capacity int) *direction {
	return &direction{from: from, to: to, model: make(chan int, capacity)}
}

// send sends v; it must complete now if the model has room, and block
// otherwise.
func (d *direction) send(t *rapid.T, v int) {
	if d.closed || d.pending != nil {
		t.Skip("a send on a closed channel panics; one blocked sender at a time keeps the order known")
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &pendingSend{v: v, done: make(chan error, 1), cancel: cancel}
	go func() { p.done <- d.from.send(ctx, v) }()
	select {
	case d.model <- v:
		p.wait(t)
	default:
		select {
		case err := <-p.done:
			t.Fatalf("send of %d completed (err %v), the model has no room", v, err)
		case <-time.After(testkit.Settle):
		}
		d.pending = p
	}
}

// recv receives; it must get the model's next value, see the channel
// closed, or block, as the model does.
func (d *direction) recv(t *rapid.T) {
	want, ok, blocks := d.modelRecv()
	if ok && d.pending != nil {
		// The room freed lets the blocked sender go on.
		defer func() {
			p := d.pending
			d.pending = nil
			p.wait(t)
		}()
	}
	if !ok && !blocks && !d.to.seesClose {
		blocks = true // a channel API listener's receive channel never closes
	}
	if blocks {
		if v, ok, blocks := d.to.recvBlocks(t); !blocks {
			t.Fatalf("received %d (ok %v), the model blocks", v, ok)
		}
		return
	}
	got, gotOK := d.to.mustRecv(t)
	if got != want || gotOK != ok {
		t.Fatalf("received %d (ok %v), the model gives %d (ok %v)", got, gotOK, want, ok)
	}
}

// modelRecv receives from the model: a value, the channel closed, or
// nothing (blocks).
func (d *direction) modelRecv() (v int, ok, blocks bool) {
	select {
	case v, ok = <-d.model:
		if ok && d.pending != nil {
			d.model <- d.pending.v
		}
		return v, ok, false
	default:
	}
	if d.pending != nil { // capacity 0: the receive meets the blocked sender
		return d.pending.v, true, false
	}
	return 0, false, true
}

// close closes the direction, unless a sender is blocked on it (in Go,
// that sender would panic).
func (d *direction) close(t *rapid.T) {
	if d.closed || d.pending != nil {
		t.Skip("closing twice, or under a blocked sender, panics")
	}
	d.closed = true
	close(d.model)
	d.from.closeSend()
}

// abandon cancels a pending send; nothing can free room for it any more,
// so it cannot complete meanwhile.
func (d *direction) abandon() {
	if d.pending != nil {
		d.pending.cancel()
		<-d.pending.done
		d.pending = nil
	}
}

// wait waits for the send to complete.
func (p *pendingSend) wait(t *rapid.T) {
	t.Helper()
	defer p.cancel()
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("send of %d: %v", p.v, err)
		}
	case <-time.After(testkit.Patience):
		t.Fatalf("send of %d still blocked after %v; the model has room", p.v, testkit.Patience)
	}
}
