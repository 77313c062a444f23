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
// dialed Conn) is closed, or the context it was made with ends; or, once
// kept (see keep), until a context of the program's ends.
type drains struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu      gosync.Mutex
	stopped bool
	kept    bool // the endpoint's Close leaves them be
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

// stop ends the drains and waits for them, unless they are kept. It is
// idempotent.
func (d *drains) stop() {
	d.mu.Lock()
	kept := d.kept
	d.mu.Unlock()
	if !kept {
		d.end(true)
	}
}

// end stops d from starting drains, and waits for those that run: after
// ending them, with now; otherwise until each ends by itself.
func (d *drains) end(now bool) {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	if now {
		d.cancel()
	}
	d.wg.Wait()
	d.cancel() // nothing is left to end: this frees the context
}

// keep makes the drains outlast the Close of their endpoint: each goes on
// until the program closes its channel or ctx ends. The channel API keeps
// them so, since its program has no Close to call and a dialed connection
// ends when its peer leaves: a program answering on a reply field it
// received would otherwise wait for ever. wait waits for them, once no
// session of the endpoint can start another.
func (d *drains) keep(ctx context.Context) (wait func()) {
	d.mu.Lock()
	d.kept = true
	d.mu.Unlock()
	unwatch := context.AfterFunc(ctx, d.cancel)
	return func() {
		d.end(false)
		unwatch()
	}
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
