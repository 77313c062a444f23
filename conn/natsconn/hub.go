package natsconn

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// hub is what one Listener, or one Dialer, holds on its nats.Conn: a
// subject prefix of its own with one wildcard subscription under it. Each
// connection's inbox is prefix.<id>, and prefix.dial reaches a listener's
// hub alone, for resumes. One subscription delivers the messages of every
// connection in the order each peer sent them, in one goroutine of
// nats.go's. A hub also watches its nats.Conn and breaks its connections
// when it loses its server.
//
// A hub lives while something holds it: the Listener until its Close, and
// each connection until its Close. The last release unsubscribes and
// waits for the hub's goroutines, so that none remains.
type hub struct {
	nc     *nats.Conn
	prefix string // prefix + "."
	// onDial, if not nil, receives dials on prefix.dial: a listener's.
	onDial func(*nats.Msg)
	// onClosed, if not nil, is called when nc is closed for good.
	onClosed func()
	// How long to wait for an answer before a ping, and in all.
	probeEvery, answerWithin time.Duration

	sub       *subscription
	status    chan nats.Status
	watchDone chan struct{}

	mu    sync.Mutex
	conns map[uint64]*Conn
	next  uint64
	refs  int
	dead  bool
}

// dialToken ends the subject at which a listener takes dials meant for it
// alone.
const dialToken = "dial"

// Timing of the check that a peer answers, copied into each hub so that a
// test may shorten it.
var (
	probeEvery   = 250 * time.Millisecond
	answerWithin = 5 * time.Second
)

// newHub subscribes a new hub, held once by its caller.
func newHub(nc *nats.Conn, onDial func(*nats.Msg), onClosed func()) (*hub, error) {
	if nc == nil {
		return nil, fmt.Errorf("natsconn: nil *nats.Conn")
	}
	h := &hub{
		nc:           nc,
		prefix:       nc.NewInbox() + ".",
		onDial:       onDial,
		onClosed:     onClosed,
		probeEvery:   probeEvery,
		answerWithin: answerWithin,
		watchDone:    make(chan struct{}),
		conns:        make(map[uint64]*Conn),
		refs:         1,
	}
	sub, err := subscribe(nc, h.prefix+"*", "", true, h.deliver)
	if err != nil {
		return nil, err
	}
	h.sub = sub
	h.status = nc.StatusChanged(nats.RECONNECTING, nats.DISCONNECTED, nats.CLOSED)
	go h.watch()
	return h, nil
}

// subject returns the inbox of the connection numbered id.
func (h *hub) subject(id uint64) string { return h.prefix + strconv.FormatUint(id, 10) }

// add registers c under a new number and holds the hub for it, unless the
// hub is already released for good.
func (h *hub) add(c *Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dead {
		return false
	}
	h.next++
	h.refs++
	c.id, c.inbox = h.next, h.subject(h.next)
	h.conns[c.id] = c
	return true
}

// remove forgets c and releases the hold it had.
func (h *hub) remove(c *Conn) {
	h.mu.Lock()
	delete(h.conns, c.id)
	h.mu.Unlock()
	h.release()
}

// release drops one hold; the last one stops the hub and waits for it.
func (h *hub) release() {
	h.mu.Lock()
	h.refs--
	last := h.refs == 0
	if last {
		h.dead = true
	}
	h.mu.Unlock()
	if last {
		h.sub.stop()
		h.nc.RemoveStatusListener(h.status) // closes h.status, which ends watch
		<-h.watchDone
	}
}

// deliver hands a message to the connection its subject names.
func (h *hub) deliver(m *nats.Msg) {
	token := m.Subject[min(len(h.prefix), len(m.Subject)):]
	if token == dialToken {
		if h.onDial != nil {
			h.onDial(m)
		}
		return
	}
	id, err := strconv.ParseUint(token, 10, 64)
	if err != nil {
		return
	}
	h.mu.Lock()
	c := h.conns[id]
	h.mu.Unlock()
	if c == nil {
		h.stray(m)
		return
	}
	c.arrived(m)
}

// stray answers an accept that came for a dial given up: the listener's
// end learns at once that no one will use it. Other strays are dropped, so
// that they cannot make this end send anything.
func (h *hub) stray(m *nats.Msg) {
	if len(m.Data) == 0 || kind(m.Data[0]) != kindAccept {
		return
	}
	a, err := parseHello(m.Data)
	if err != nil {
		return
	}
	_ = h.nc.Publish(a.inbox, appendHeader(nil, header{kind: kindClose}))
}

// watch breaks the hub's connections whenever its nats.Conn loses its
// server: messages in flight may be lost with it, and a connection that
// breaks at once can be resumed at once.
func (h *hub) watch() {
	defer close(h.watchDone)
	for st := range h.status {
		h.mu.Lock()
		conns := slices.Collect(maps.Values(h.conns))
		h.mu.Unlock()
		cause := fmt.Errorf("%w (%s)", ErrDisconnected, st)
		for _, c := range conns {
			c.breakOff(cause)
		}
		if st == nats.CLOSED && h.onClosed != nil {
			h.onClosed()
		}
	}
}
