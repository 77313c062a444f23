package endpoint

import (
	"cmp"
	"context"
	"reflect"
	gosync "sync"

	"github.com/netchan/netchan/conn"
)

// drains owns the goroutines that go on receiving from channels netchan
// carried once their session ended: a program sending on a reply field,
// or on the original of a stream, after its peer left would otherwise
// wait for ever, and a server answering many clients from one loop with
// it. Each value is reported undelivered until the program closes the
// channel, or the endpoint that made the session (a Listener, or a
// dialed Conn) is closed, or the context it was made with ends.
type drains struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu      gosync.Mutex
	stopped bool
	wg      gosync.WaitGroup
}

func newDrains(ctx context.Context) *drains {
	d := &drains{}
	d.ctx, d.cancel = context.WithCancel(ctx)
	return d
}

// start runs f in a goroutine of d, unless d was stopped.
func (d *drains) start(f func(ctx context.Context)) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return false
	}
	d.wg.Go(func() { f(d.ctx) })
	return true
}

// stop ends the drains and waits for them. It is idempotent.
func (d *drains) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}

// drain reports each value the program sends on ch as undelivered, with
// the session's error, until the program closes ch or ctx ends; then
// those still in ch's buffer, which no one will take either.
func (p *pump) drain(ctx context.Context) {
	defer p.reportBuffered()
	cases := []reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: p.ch},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())},
	}
	for {
		i, v, ok := reflect.Select(cases)
		if i == 1 || !ok {
			return
		}
		p.undelivered(v)
	}
}

// reportBuffered reports the values waiting in ch's buffer as undelivered.
func (p *pump) reportBuffered() {
	for {
		v, ok := p.ch.TryRecv()
		if !ok {
			return
		}
		p.undelivered(v)
	}
}

func (p *pump) undelivered(v reflect.Value) {
	p.n.report(&UndeliveredError[any]{Value: v.Interface(), Err: cmp.Or(p.n.s.Err(), error(conn.ErrClosed))})
}
