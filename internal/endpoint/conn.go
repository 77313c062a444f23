package endpoint

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"slices"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/chans"
	"github.com/netchan/netchan/internal/options"
	"github.com/netchan/netchan/internal/shape"
	"github.com/netchan/netchan/internal/wire"
	nsync "github.com/netchan/netchan/sync"
)

// keepEncodeBuffer is the largest encoding buffer a Conn keeps for reuse.
const keepEncodeBuffer = 64 << 10

// Conn is one end of a netchan connection carrying values of type T in both
// directions.
//
// Semantics. Each direction delivers every value once and in order. The two
// ends agree on a capacity n, the smaller of their WithBuffer settings. With
// n >= 1, at most n values sent on one end are outstanding, that is not yet
// received by the peer's program; Send waits while n are. With n = 0
// (rendezvous, the Sync option) Send returns only after the peer's Recv took
// the value. A value counts as received when Recv returns it, or, for
// RecvTo, when the send on the program's channel completes.
//
// Send, Recv and their variants may be called from any number of goroutines;
// values sent concurrently are delivered in the order their sends were
// committed. Close may be called at any time and more than once.
type Conn[T any] struct {
	c        *conn.Session
	s        *conn.Stream
	in       *inbox[T] // its codec, a session of its own if stateful, serves both directions
	stateful bool
	rendez   bool
	ctx      context.Context // bounds the Conn's life, its Close's resumes too
	unwatch  func() bool     // stops closing the Conn when ctx ends
	drains   *drains         // a dialed Conn's own; an accepted one's are its Listener's

	sendMu gosync.Mutex
	encBuf []byte
	ends   []int // where each value of a batch ends in encBuf
	batch  []T   // the values of a batch, where the codec reads them from
	broken error // set once a stateful codec's state went out of step

	recvMu gosync.Mutex
	held   []held[T]    // values RecvTo took but could not hand over, by number; guarded by recvMu
	holds  atomic.Int64 // len(held), for receives to see none without the lock
	closed atomic.Bool  // Close was called: what waits here is given back

	// The values sent that the peer's program has not taken, guarded by
	// sendMu, and what becomes of them if the session ends without
	// delivering them: see settle. acks is the latest count of values the
	// peer's program took, as the reader heard it.
	unacked     unacked[T]
	acks        atomic.Uint64
	undelivered func(vs []T, cause error)
	// Lets go of what acks covers once a credit came while a send held
	// sendMu: no send may follow to do it (see acked).
	lateTrim  *time.Timer
	lateArmed atomic.Bool

	// Its values in an Outlet not freed, and the Outlet's bookkeeping of
	// them: see Outlet.settleLocked and Outlet.settleLooseAll.
	outletHeld  int // of its values in under the Outlet's lock, those not freed; guarded by that lock
	outletLoose atomic.Int64
	outletStamp atomic.Uint64 // the most of the Outlet's lockedIn when one was counted
	outletDirty atomic.Bool
	outletNext  *Conn[T]

	lane *Lane[T] // the Dispatcher's lane it sends from, if any; set before SendFrom runs
}

func newConn[T any](ctx context.Context, c *conn.Session, s *options.Settings) *Conn[T] {
	_, stateful := s.Codec.(codec.Stateful)
	in := c.Main().Inbox().(*inbox[T])
	tc := &Conn[T]{
		c:        c,
		s:        c.Main(),
		in:       in,
		stateful: stateful,
		rendez:   c.Capacity() == 0,
	}
	tc.unacked.q.owner = &tc.sendMu
	tc.lateTrim = time.AfterFunc(time.Hour, tc.trimLate)
	tc.lateTrim.Stop()
	tc.undelivered = func(vs []T, cause error) {
		for _, v := range vs {
			s.Report(&UndeliveredError[T]{Value: v, Err: cause})
		}
	}
	tc.s.OnAck(tc.acked)
	c.AfterDone(tc.settle)
	tc.ctx = ctx
	tc.unwatch = context.AfterFunc(ctx, func() {
		tc.closed.Store(true)
		_ = tc.c.Close()
	})
	return tc
}

// OnUndelivered sets what becomes of the values sent that the peer's
// program had not taken when the session ended without delivering them:
// f receives them, in order, with the session's error. By default each is
// reported as an *UndeliveredError. Set it before the first send.
func (c *Conn[T]) OnUndelivered(f func(vs []T, cause error)) { c.undelivered = f }

// acked is the stream's OnAck: the peer's program took the values
// numbered below n, which frees room in the window. Their values are let
// go of now if no send holds sendMu, and by the next send or after
// trimLateAfter otherwise: the reader must not wait for a send, which may
// wait for the network, and the program may send nothing more.
func (c *Conn[T]) acked(n uint64) {
	c.acks.Store(n)
	if c.sendMu.TryLock() {
		c.unacked.trim(n)
		c.sendMu.Unlock()
	} else if c.lateArmed.CompareAndSwap(false, true) {
		c.lateTrim.Reset(trimLateAfter)
	}
	if c.lane != nil {
		c.lane.d.roomMaybe()
	}
}

// trimLateAfter is how long values acknowledged while a send held sendMu
// may stay kept when no send follows.
const trimLateAfter = 10 * time.Millisecond

// trimLate lets go of the values acknowledged, for acked.
func (c *Conn[T]) trimLate() {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	c.lateArmed.Store(false)
	c.unacked.trim(c.acks.Load())
}

// settle deals once with the values the peer's program had not taken
// when the session ended, in its goroutine: none if the session ended by
// this end's Close with every frame acknowledged by the peer's session,
// since they then wait in the peer's inbox for its program; each of them
// otherwise. A value whose credit was on its way when the session was
// lost is among them although the peer's program took it: its fate is
// unknown to this end.
func (c *Conn[T]) settle() {
	c.sendMu.Lock()
	vs := c.unacked.takeAll(c.acks.Load())
	c.sendMu.Unlock()
	c.lateTrim.Stop()
	if len(vs) > 0 && !c.c.Flushed() {
		c.undelivered(vs, c.c.Err())
	}
}

// Dial connects to a netchan listener at addr with the settings s. ctx
// bounds the whole life of the connection: when it ends, the connection
// closes.
func Dial[T any](ctx context.Context, addr string, s *options.Settings) (*Conn[T], error) {
	cfg, err := s.Transport(options.Dialer)
	if err != nil {
		return nil, err
	}
	d := newDrains(ctx)
	if err := carry[T](cfg, s, d); err != nil {
		d.stop()
		return nil, err
	}
	c, err := conn.Dial(ctx, addr, cfg)
	if err != nil {
		d.stop()
		return nil, err
	}
	tc := newConn[T](ctx, c, s)
	tc.drains = d
	return connected(tc, s), nil
}

// carry tells cfg how the main stream carries values of T: their inbox,
// what the handshake says of T, and whether the peer may open streams, for
// the channels in values, which a T without channels does not hold; d
// drains those channels after their session (see drains). It fails for a
// T whose channels cannot travel.
func carry[T any](cfg *conn.Config, s *options.Settings, d *drains) error {
	t := reflect.TypeFor[T]()
	plan, err := chans.For(t)
	if err != nil {
		return err
	}
	if plan == nil {
		cfg.MaxStreams = 0
	}
	cfg.Inbox = inboxes[T](s, plan, d)
	cfg.TypeName, cfg.TypeShape = t.String(), shape.Of(t)
	if len(cfg.TypeName) > wire.MaxTypeName {
		cfg.TypeName = cfg.TypeName[:wire.MaxTypeName-3] + "..."
	}
	return nil
}

// Capacity returns the capacity the two ends agreed on; 0 is rendezvous.
func (c *Conn[T]) Capacity() int { return c.c.Capacity() }

// stallAt is how many of the peer's values in an Outlet may be all it
// can send: its window, one value in rendezvous mode, less what it may
// keep for values it has not sent.
func (c *Conn[T]) stallAt() int {
	w := max(c.Capacity(), 1)
	return w - nsync.MaxHold(w)
}

// ConnectionState returns the TLS state of the session's connection.
func (c *Conn[T]) ConnectionState() tls.ConnectionState { return c.c.ConnectionState() }

// LocalAddr returns the local network address.
func (c *Conn[T]) LocalAddr() net.Addr { return c.c.LocalAddr() }

// RemoteAddr returns the peer's network address.
func (c *Conn[T]) RemoteAddr() net.Addr { return c.c.RemoteAddr() }

// AboutPeer returns err naming the connection's peer, unless it does
// already.
func (c *Conn[T]) AboutPeer(err error) error { return c.c.AboutPeer(err) }

// Done is closed when the connection has ended.
func (c *Conn[T]) Done() <-chan struct{} { return c.c.Done() }

// Err returns why the connection ended, or nil while it is open.
func (c *Conn[T]) Err() error { return c.c.Err() }

// Unacknowledged returns how many values this end sent that the peer's
// program has not received, as far as this end knows: after a failure, the
// values that may have been lost.
func (c *Conn[T]) Unacknowledged() int { return c.s.Unacknowledged() }

// Send sends v. It waits while the capacity is used up, and in rendezvous
// mode until the peer's program received v. It also waits while a mebibyte
// of earlier values waits to be written to the network. An error means v
// was not delivered, except that a rendezvous Send whose ctx ends after v
// was sent cannot tell whether v arrived.
func (c *Conn[T]) Send(ctx context.Context, v T) error {
	if err := c.s.Reserve(ctx); err != nil {
		return err
	}
	seq, err := c.sendReserved(v)
	if err != nil {
		return err
	}
	if c.rendez {
		return c.s.WaitTaken(ctx, seq)
	}
	return nil
}

// sendReserved encodes v and queues it, spending a reservation.
func (c *Conn[T]) sendReserved(v T) (uint64, error) {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	if c.broken != nil {
		c.s.Cancel()
		return 0, c.broken
	}
	c.batch = append(c.batch[:0], v) // on the heap: the codec may take a pointer
	buf, err := c.appendValue(c.encBuf[:0], &c.batch[0])
	clear(c.batch[:1]) // the program's value is not kept alive here
	if err != nil {
		c.s.Cancel()
		err, moved := encodeFailed(v, c.in.codec, err)
		if moved {
			c.breakIfStateful(err)
		}
		return 0, err
	}
	c.keepEncodeBuffer(buf)
	seq, err := c.s.Send(buf)
	if err != nil {
		c.breakIfStateful(err)
		return 0, err
	}
	c.keepUnacked(seq, v)
	return seq, nil
}

// keepUnacked keeps vs, queued from seq on, until the peer's program takes
// them, or settle deals with them. sendMu is held.
func (c *Conn[T]) keepUnacked(seq uint64, vs ...T) {
	c.unacked.push(c.acks.Load(), seq, vs...)
}

// appendValue encodes *p onto dst. The channels a value holds are carried
// by streams, which it opens once the value can go.
func (c *Conn[T]) appendValue(dst []byte, p *T) ([]byte, error) {
	if c.in.plan == nil {
		return codec.AppendPointer(c.in.codec, dst, p)
	}
	return c.in.nest.encode(c.in.codec, dst, c.in.plan, reflect.ValueOf(p).Elem(), 1)
}

// keepEncodeBuffer keeps buf for the next value unless it is large and
// this value used little of it: a burst of large values reuses one buffer,
// and a connection back to small values gives the large one up.
func (c *Conn[T]) keepEncodeBuffer(buf []byte) {
	if cap(buf) <= keepEncodeBuffer || len(buf) >= cap(buf)/4 {
		c.encBuf = buf
	} else {
		c.encBuf = nil
	}
}

func (c *Conn[T]) breakIfStateful(err error) {
	if c.stateful {
		c.broken = fmt.Errorf("%w: %w", ErrSendBroken, err)
	}
}

// Recv waits for the next value. It returns io.EOF once the peer closed its
// send side and every value it sent was received.
func (c *Conn[T]) Recv(ctx context.Context) (T, error) {
	v, _, err := c.next(ctx)
	if err == nil || errors.Is(err, ErrDecode) {
		c.s.Take()
	}
	return v, err
}

// next takes the next value off the stream, decoded, without telling
// the peer: the caller calls Take once its program has the value, or hold
// with the value's number if it could not hand it over. Held values come
// first, the earliest taken first. No lock is held while it waits, so
// that each receive waits with its own context.
func (c *Conn[T]) next(ctx context.Context) (v T, n uint64, err error) {
	if c.closed.Load() {
		return v, 0, conn.ErrClosed
	}
	if h, ok := c.unhold(); ok {
		return h.v, h.n, nil
	}
	a, n, ok, err := c.in.next(ctx, c.c)
	if c.closed.Load() {
		return v, 0, conn.ErrClosed // a is given back, with what waits behind it
	}
	if err != nil {
		return v, 0, err
	}
	if !ok {
		return v, 0, io.EOF
	}
	if a.panicked != nil {
		c.s.Take()
		panic(a.panicked)
	}
	return a.v, n, a.err
}

// unhold takes the earliest held value, if there is one.
func (c *Conn[T]) unhold() (h held[T], ok bool) {
	if c.holds.Load() == 0 {
		return h, false // the common case: no lock
	}
	c.recvMu.Lock()
	defer c.recvMu.Unlock()
	if len(c.held) == 0 {
		return h, false
	}
	h = c.held[0]
	c.held = c.held[1:]
	c.holds.Store(int64(len(c.held)))
	return h, true
}

// more appends to dst up to max values waiting behind the one next
// returned, without waiting, and returns the number of the first it
// appended; the others follow it. Held values come back one at a time,
// through next.
func (c *Conn[T]) more(dst []T, max int) (_ []T, first uint64) {
	if c.in.Len() == 0 || c.holds.Load() > 0 {
		return dst, 0
	}
	return c.in.popMore(dst, max)
}

// CloseSend tells the peer that no more values follow. The peer receives
// every value sent before, then io.EOF. Sends after CloseSend fail. It is
// idempotent.
func (c *Conn[T]) CloseSend() error { return c.s.CloseSend() }

// Close ends the connection at once and waits for its goroutines. Values
// that arrived and were not received are given back: the peer's program
// has not taken them, and the peer hears of them as it does of every value
// not delivered, while receives from now on return ErrClosed. To end
// gracefully, CloseSend and Recv until io.EOF first. A connection cut as
// it closes resumes until the peer has every value sent and the close,
// for at most the resume window, and no longer than the Conn's context
// lives. It is idempotent.
func (c *Conn[T]) Close() error { return c.CloseContext(c.ctx) }

// CloseContext is Close, whose resumes through cuts stop when ctx ends
// too.
func (c *Conn[T]) CloseContext(ctx context.Context) error {
	c.closed.Store(true)
	err := c.c.CloseContext(ctx)
	c.unwatch()
	if c.drains != nil {
		c.drains.stop()
	}
	return err
}

// KeepDrains makes the goroutines that drain the channels this dialed
// Conn's values carried, once its session ended (see drains), outlast
// Close: each stops when the program closes its channel or ctx ends. wait
// waits for them, after the Conn ended. Call it before the Conn ends.
func (c *Conn[T]) KeepDrains(ctx context.Context) (wait func()) { return c.drains.keep(ctx) }

// held is a value taken off the stream and not handed to the program, with
// its number in the order values were taken.
type held[T any] struct {
	n uint64
	v T
}

// holdGroup keeps the values of a group RecvTo could not hand over, from
// group[from] on, for later receives: group[0] is number n, and the others
// are numbered from first. A value must be neither lost nor counted as
// received when a receive gives up. They are held together, so that no
// receive comes between them, and several groups may be held at once:
// their values come back in the order they were taken.
func (c *Conn[T]) holdGroup(n, first uint64, group []T, from int) {
	c.recvMu.Lock()
	defer c.recvMu.Unlock()
	for i := from; i < len(group); i++ {
		if i == 0 {
			c.holdLocked(n, group[0])
		} else {
			c.holdLocked(first+uint64(i-1), group[i])
		}
	}
}

func (c *Conn[T]) holdLocked(n uint64, v T) {
	i, _ := slices.BinarySearchFunc(c.held, n, func(h held[T], n uint64) int { return cmp.Compare(h.n, n) })
	c.held = slices.Insert(c.held, i, held[T]{n, v})
	c.holds.Store(int64(len(c.held)))
}
