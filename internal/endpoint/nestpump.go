package endpoint

import (
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/chans"
)

// pump moves the values of one channel a value carried over its stream,
// in the one direction the stream's values go: the receiving end closes
// its own direction at once. Its goroutine ends with the stream, or with
// the session.
//
// The end that sent the channel holds the original; the end that received
// it, a channel of its own that replaced it in the value, unbuffered. For a
// reply channel, out runs at the receiving end, from its channel, and in at
// the sending end, into the original; for a stream channel, out runs at
// the sending end, from the original, and in at the receiving end.
//
// out takes a value from its channel only once the stream has room for
// it; in counts a value it put in its channel as taken only once the
// program took it from there, withholding the credits of those in the
// channel's buffer. So a channel carried keeps the capacity of the
// original, plus the one value a pump holds in hand.
type pump struct {
	n     *nest
	st    *conn.Stream
	ch    reflect.Value
	depth int // of the stream: 1 for the channels of a session's values
}

func (p *pump) elem() reflect.Type { return p.ch.Type().Elem() }

// in puts the values the peer sends into ch, then closes ch: after the
// peer's close, or once the session ended, so that no program waits on it
// for ever. A program must therefore neither close nor send on the
// original of a reply channel while netchan carries it.
func (p *pump) in() {
	_ = p.st.CloseSend()
	// ch is closed when the session ends, and the values in its buffer
	// are then the program's to receive.
	p.st.KeepsBuffered()
	dec := p.decoder()
	defer p.closeCh()
	for {
		m, err := p.st.Next(p.n.ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				// The values still in ch's buffer reach the program before
				// the close: their credits free the peer's pump, which
				// waits for them to close the stream, and so its permit.
				p.st.Withhold(0)
				p.st.TookClose()
			}
			return
		}
		v, err := dec(m.Value)
		m.Release()
		if err != nil {
			if p.failDecode(err) {
				return
			}
			continue
		}
		put := func() bool {
			if !p.put(v) {
				return false
			}
			// The values in ch's buffer are not taken yet.
			p.st.Withhold(p.ch.Len())
			return true
		}
		if !p.st.HandOver(put) {
			return
		}
	}
}

// closeCh closes ch. A program that closed the original of a reply channel
// itself broke the rule above; the panic is reported, not raised in
// netchan's goroutine.
func (p *pump) closeCh() {
	defer func() {
		if r := recover(); r != nil {
			p.n.report(fmt.Errorf("netchan: closing a reply channel netchan carried: %v", r))
		}
	}()
	p.ch.Close()
}

// put sends v on ch, unless the session starts ending first: its goodbye
// waits for the hand-over (see conn.Stream.HandOver), which must not wait
// for a program that may never receive.
func (p *pump) put(v reflect.Value) (ok bool) {
	defer func() {
		if r := recover(); r != nil { // the program closed an original it gave away
			p.n.report(fmt.Errorf("netchan: sending on a reply channel netchan carried: %v", r))
			ok = false
		}
	}()
	ending := p.n.s.Ending()
	select {
	case <-ending:
		return false
	default:
	}
	i, _, _ := reflect.Select([]reflect.SelectCase{
		{Dir: reflect.SelectSend, Chan: p.ch, Send: v},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ending)},
	})
	return i == 0
}

// failDecode reports a value that could not be decoded, which is skipped,
// and says whether the stream must stop: the peer named streams it may
// not, which ends the session.
func (p *pump) failDecode(err error) (stop bool) {
	if hostile(err) {
		p.n.s.Abort(err)
		return true
	}
	p.st.Take()
	p.n.report(p.n.s.AboutPeer(fmt.Errorf("%w %v with %s: %w", ErrDecode, p.elem(), p.n.codec.Name(), err)))
	return false
}

// decoder returns the function that decodes the stream's values.
func (p *pump) decoder() func([]byte) (reflect.Value, error) {
	c := codec.ForConnection(p.n.codec)
	t := p.elem()
	plan, _ := chans.For(t) // checked with the type that holds the channel
	return func(data []byte) (reflect.Value, error) {
		v := reflect.New(t)
		if plan == nil {
			return v.Elem(), c.Unmarshal(data, v.Interface())
		}
		return v.Elem(), p.n.decode(c, data, plan, v.Elem(), p.depth+1)
	}
}

// out sends what the program sends on ch, once the stream has room for
// each value, until the program closes ch; then it closes the stream and
// waits until the peer took every value, or the session ended. The values
// the peer had not taken then are reported undelivered. It says whether
// it stopped with ch still open: the values sent on it from then on
// cannot go (see drains).
func (p *pump) out() (open bool) {
	c := codec.ForConnection(p.n.codec)
	_, stateful := c.(codec.Stateful)
	plan, _ := chans.For(p.elem())
	var (
		sent   []reflect.Value // the values the peer may not have taken, from seq base on
		base   uint64
		broken error // a stateful codec out of step
		buf    []byte
	)
	cases := []reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: p.ch},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(p.n.ctx.Done())},
	}
	defer func() { p.settle(sent, base) }()
	for {
		if err := p.st.Reserve(p.n.ctx); err != nil {
			return true
		}
		i, v, ok := reflect.Select(cases)
		if i == 1 || !ok {
			p.st.Cancel()
			if i == 0 {
				p.finish()
			}
			return i == 1
		}
		var err error
		if broken == nil {
			buf, err = p.encode(c, plan, buf[:0], v)
		} else {
			err = broken
		}
		if err != nil {
			p.st.Cancel()
			err, moved := encodeFailed(v.Interface(), c, err)
			if stateful && moved && broken == nil {
				broken = fmt.Errorf("%w: %w", ErrSendBroken, err)
			}
			p.n.report(&UndeliveredError[any]{Value: v.Interface(), Err: err})
			continue
		}
		acked := p.st.Acknowledged()
		for base < acked && len(sent) > 0 {
			sent[0] = reflect.Value{}
			sent, base = sent[1:], base+1
		}
		seq, err := p.st.Send(buf)
		if err != nil {
			p.n.report(&UndeliveredError[any]{Value: v.Interface(), Err: err})
			if !errors.Is(err, conn.ErrTooLarge) {
				return true
			}
			if stateful { // it counted the value sent
				broken = fmt.Errorf("%w: %w", ErrSendBroken, err)
			}
			continue
		}
		if len(sent) == 0 {
			base = seq
		}
		sent = append(sent, v)
	}
}

// encode encodes v, a value of the channel's element type, through a
// pointer as the main stream does: a codec such as gob encodes a value of
// an interface type as an interface only so, which the receiver, decoding
// into that type, needs.
func (p *pump) encode(c codec.Codec, plan *chans.Plan, dst []byte, v reflect.Value) ([]byte, error) {
	if plan == nil {
		ptr := reflect.New(v.Type())
		ptr.Elem().Set(v)
		return appendWire(c, dst, ptr)
	}
	return p.n.encode(c, dst, plan, v, p.depth+1)
}

// finish closes the stream after the program closed its channel, and waits
// until the peer took every value and saw the close, or the session ended.
func (p *pump) finish() {
	if err := p.st.CloseSend(); err != nil {
		return
	}
	if sent := p.st.Acknowledged() + uint64(p.st.Unacknowledged()); sent > 0 {
		if p.st.WaitTaken(p.n.ctx, sent-1) != nil {
			return
		}
	}
	if _, err := p.st.Next(p.n.ctx); errors.Is(err, io.EOF) {
		p.st.TookClose()
	}
}

// settle reports the values sent, numbered from base, that the peer's
// program had not taken when the pump stopped. Even after a clean end
// with every frame at the peer: unlike the main stream's, whose values
// wait in the peer's inbox for its program, a channel's values there are
// dropped with the session, since its pump cannot wait for a program that
// may never receive.
func (p *pump) settle(sent []reflect.Value, base uint64) {
	acked := p.st.Acknowledged()
	if acked >= base+uint64(len(sent)) {
		return
	}
	<-p.n.ctx.Done() // the last acknowledgements have arrived
	acked = p.st.Acknowledged()
	for i, v := range sent {
		if base+uint64(i) >= acked {
			p.n.report(&UndeliveredError[any]{Value: v.Interface(), Err: p.n.s.Err()})
		}
	}
}
