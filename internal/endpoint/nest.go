package endpoint

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	gosync "sync"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/chans"
)

// MaxDepth is how deep channels may nest: a value on a channel that a value
// holds may hold channels in turn, to this depth. A value that would open
// streams deeper is refused with conn.ErrLimit; a peer that names one ends
// the session.
const MaxDepth = 8

// ErrChanInUse is returned for a value holding a channel that netchan
// carries already, for an earlier value, until that channel's stream ends.
var ErrChanInUse = chans.ErrInUse

// nest carries the channels in the values of one session. It opens a
// stream for each channel in a value sent, binds each stream a value
// received names to a new channel of this end, and owns the goroutines
// that pump them: they stop when their stream ends, or when the session
// does, which then waits for them.
type nest struct {
	s      *conn.Session
	codec  codec.Codec // each direction of each stream takes a session of its own
	report func(error)
	drains *drains         // of the endpoint: see keepDraining
	ctx    context.Context // ends when the session has ended
	cancel context.CancelFunc

	// open is held from naming a value's streams to opening them, so that
	// the ids NextOpen gave are theirs: this is the session's only opener.
	open gosync.Mutex

	mu    gosync.Mutex
	ended bool
	pumps gosync.WaitGroup
}

func newNest(s *conn.Session, c codec.Codec, report func(error), d *drains) *nest {
	n := &nest{s: s, codec: c, report: report, drains: d}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	s.AfterDone(n.stop)
	return n
}

// stop ends the pumps and waits for them, once the session has ended.
func (n *nest) stop() {
	n.mu.Lock()
	n.ended = true
	n.mu.Unlock()
	n.cancel()
	n.pumps.Wait()
}

// start runs f in a goroutine of the nest, unless the session has ended.
func (n *nest) start(f func()) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ended {
		return false
	}
	n.pumps.Go(f)
	return true
}

// encode appends to dst the wire form of v, a value of p.T, encoded with
// c, then opens a stream for each channel v holds, at the given depth, and
// starts its pump. It opens none if the value cannot go: the codec refuses
// it, it is larger than the peer accepts, or, before the codec sees it (a
// *refusal), a channel in it is carried already, a reply channel in it has
// more capacity than the peer takes, it would open more streams than the
// peer allows now, or nest them deeper than MaxDepth.
func (n *nest) encode(c codec.Codec, dst []byte, p *chans.Plan, v reflect.Value, depth int) ([]byte, error) {
	n.open.Lock()
	defer n.open.Unlock()
	next, permits := n.s.NextOpen()
	// Each channel found is owned at once, so that no other session's
	// value takes it meanwhile; bindOut takes over found[:bound], and
	// those it never got are released here.
	var found []chans.Chan
	bound := 0
	defer func() {
		for _, ch := range found[bound:] {
			chans.Release(ch.V)
		}
	}()
	w, err := p.ToWire(v, func(ch chans.Chan) (uint32, error) {
		switch {
		case depth > MaxDepth:
			return 0, fmt.Errorf("%w: channels nest deeper than %d", conn.ErrLimit, MaxDepth)
		case ch.Dir == chans.Reply && ch.V.Cap() > n.s.PeerMaxStreamCapacity():
			return 0, fmt.Errorf("%w: a reply channel of capacity %d, the peer takes at most %d", conn.ErrLimit, ch.V.Cap(), n.s.PeerMaxStreamCapacity())
		case uint64(len(found)) >= permits:
			return 0, fmt.Errorf("%w: the peer allows %d more streams now, and the value holds more channels", conn.ErrLimit, permits)
		}
		if err := chans.Own(ch.V); err != nil { // in this value already, or in another
			return 0, err
		}
		found = append(found, ch)
		return next + 2*uint32(len(found)-1), nil
	})
	if err != nil {
		return dst, &refusal{err}
	}
	out, err := appendWire(c, dst, w)
	if err != nil {
		return dst, err
	}
	if size, limit := len(out)-len(dst), n.s.PeerMaxValue(); size > limit {
		return dst, fmt.Errorf("%w: %d bytes encoded, the peer accepts %d", conn.ErrTooLarge, size, limit)
	}
	for i, ch := range found {
		bound = i + 1
		if err := n.bindOut(ch, next+2*uint32(i), depth); err != nil {
			return dst, err
		}
	}
	return out, nil
}

// appendWire encodes the wire value w points to.
func appendWire(c codec.Codec, dst []byte, w reflect.Value) ([]byte, error) {
	if a, ok := c.(codec.PointerAppender); ok {
		return a.AppendMarshalPointer(dst, w.Interface())
	}
	return codec.Append(c, dst, w.Elem().Interface())
}

// bindOut opens the stream of a channel of a value sent, which must get
// the id given, and starts its pump. A reply channel's stream has the
// capacity of the channel; a stream channel's has none, since the
// channel's own buffer is where its values wait. The caller owned ch
// (chans.Own): bindOut releases it when it fails, or its pump once done.
func (n *nest) bindOut(ch chans.Chan, id uint32, depth int) error {
	capacity := 0
	if ch.Dir == chans.Reply {
		capacity = ch.V.Cap()
	}
	st, err := n.s.Open(capacity, chans.Meta(ch.V.Type()), nil)
	if err == nil && st.ID() != id {
		err = fmt.Errorf("netchan: stream %d opened where the value names %d", st.ID(), id)
		n.s.Abort(err) // a bug: the peer would bind the wrong channels
	}
	if err != nil {
		chans.Release(ch.V)
		return err
	}
	p := &pump{n: n, st: st, ch: ch.V, depth: depth}
	release := func() { chans.Release(ch.V) }
	f := func() { p.in(); release() }
	if ch.Dir == chans.Stream {
		f = func() { n.keepDraining(p, p.out(), release) }
	}
	if !n.start(f) {
		chans.Release(ch.V)
		return n.s.Err()
	}
	return nil
}

// decode decodes data, the wire form of a value of p.T, with c into dst,
// binding each stream it names, at the given depth, to a new channel. An
// error that wraps conn.ErrProtocol or conn.ErrLimit means the peer named
// streams it may not, and must end the session.
func (n *nest) decode(c codec.Codec, data []byte, p *chans.Plan, dst reflect.Value, depth int) error {
	w := reflect.New(p.Wire)
	if err := c.Unmarshal(data, w.Interface()); err != nil {
		return err
	}
	return p.FromWire(w.Elem(), dst, func(id uint32, t reflect.Type) (reflect.Value, error) {
		return n.bindIn(id, t, depth)
	})
}

// bindIn binds the stream id a value names, which the peer opened, to a
// new channel of type t, and starts its pump. The channel is unbuffered:
// the capacity is the peer's channel's.
func (n *nest) bindIn(id uint32, t reflect.Type, depth int) (reflect.Value, error) {
	if depth > MaxDepth {
		return reflect.Value{}, fmt.Errorf("%w: the peer's channels nest deeper than %d", conn.ErrLimit, MaxDepth)
	}
	st, err := n.s.Claim(id)
	if err != nil {
		return reflect.Value{}, err
	}
	if err := chans.CheckMeta(st.Meta(), t); err != nil {
		return reflect.Value{}, fmt.Errorf("%w: stream %d: %w", conn.ErrProtocol, id, err)
	}
	local := reflect.MakeChan(reflect.ChanOf(reflect.BothDir, t.Elem()), 0)
	p := &pump{n: n, st: st, ch: local, depth: depth}
	f := func() { n.keepDraining(p, p.out(), func() {}) }
	if chans.DirOf(t) == chans.Stream {
		f = p.in
	}
	if !n.start(f) {
		return reflect.Value{}, n.s.Err()
	}
	return local, nil
}

// keepDraining hands the channel of an out pump that stopped with it still
// open to the endpoint's drains, and calls release once nothing receives
// from it any more: at once if it was closed, or could not be handed, its
// buffered values reported then.
func (n *nest) keepDraining(p *pump, open bool, release func()) {
	if open && n.drains.start(func(ctx context.Context) { defer release(); p.drain(ctx) }) {
		return
	}
	if open {
		p.reportBuffered()
	}
	release()
}

// hostile reports whether a decoding error is the peer's breach rather
// than a value the codec could not decode.
func hostile(err error) bool {
	return errors.Is(err, conn.ErrProtocol) || errors.Is(err, conn.ErrLimit)
}
