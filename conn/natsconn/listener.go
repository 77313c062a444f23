package natsconn

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/nats-io/nats.go"
)

// Listener accepts natsconn connections dialed to its subject. Listeners
// on one subject, in one process or many, form a queue group: each dial
// reaches one of them. Each also accepts dials on a subject of its own,
// the ResumeAddr of the connections it accepted.
//
// All methods may be called concurrently. Close is idempotent and waits;
// connections already accepted stay open.
type Listener struct {
	h       *hub
	subject string
	dials   *subscription // the queue group's
	backlog chan *Conn    // accepted by the protocol, waiting for Accept
	stopped chan struct{} // closed when Accept must fail
	once    sync.Once

	mu     sync.Mutex
	closed bool
	err    error // why Accept fails, once stopped is closed
}

// backlogSize bounds the connections that wait for Accept; further dials
// are refused.
const backlogSize = 128

// queueGroup is the NATS queue group of every natsconn listener.
const queueGroup = "natsconn"

// Listen listens for natsconn connections on subject over nc, for
// netchan.WithListener: its Addr is the subject, with network "nats".
// Dials to subject are shared among all the listeners on it, in any
// process connected to the same NATS system. The listener's subscriptions
// are on nc, and its server knows of them once Listen returns; the other
// servers of a cluster learn of them a moment later. Close ends them.
func Listen(nc *nats.Conn, subject string) (net.Listener, error) {
	if subject == "" {
		return nil, errors.New("natsconn: listen on an empty subject")
	}
	if nc != nil && nc.MaxPayload() < minPayload {
		return nil, fmt.Errorf("natsconn: listen on %s: the NATS server takes messages of %d bytes, natsconn needs %d", subject, nc.MaxPayload(), minPayload)
	}
	l := &Listener{
		subject: subject,
		backlog: make(chan *Conn, backlogSize),
		stopped: make(chan struct{}),
	}
	h, err := newHub(nc, l.dialed, l.lost)
	if err != nil {
		return nil, fmt.Errorf("natsconn: listen on %s: %w", subject, err)
	}
	l.h = h
	if l.dials, err = subscribe(nc, subject, queueGroup, false, l.dialed); err != nil {
		h.release()
		return nil, err
	}
	if nc.IsConnected() {
		// Once Listen returns, a dial through the same server finds the
		// listener. A nats.Conn that is reconnecting subscribes again
		// when it is back.
		if err := nc.Flush(); err != nil {
			_ = l.Close()
			return nil, fmt.Errorf("natsconn: listen on %s: %w", subject, err)
		}
	}
	return l, nil
}

// Accept waits for the next connection dialed to the listener.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case <-l.stopped:
		return nil, l.acceptErr()
	default:
	}
	select {
	case c := <-l.backlog:
		return c, nil
	case <-l.stopped:
		return nil, l.acceptErr()
	}
}

func (l *Listener) acceptErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return &net.OpError{Op: "accept", Net: "nats", Addr: l.Addr(), Err: l.err}
}

// Addr returns the listener's subject.
func (l *Listener) Addr() net.Addr { return Addr(l.subject) }

// Close stops listening: it unsubscribes, refuses dials from then on, and
// closes the connections that wait for Accept. Accept returns an error
// wrapping net.ErrClosed. Close is idempotent, waits for the listener's
// subscriptions to end, and returns nil.
func (l *Listener) Close() error {
	l.once.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.stopLocked(net.ErrClosed)
		l.mu.Unlock()
		l.dials.stop()
		for len(l.backlog) > 0 {
			select {
			case c := <-l.backlog:
				_ = c.Close()
			default:
			}
		}
		l.h.release()
	})
	return nil
}

// lost stops Accept once the nats.Conn is closed for good.
func (l *Listener) lost() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopLocked(fmt.Errorf("%w: %w", ErrDisconnected, nats.ErrConnectionClosed))
}

func (l *Listener) stopLocked(err error) {
	if l.err == nil {
		l.err = err
		close(l.stopped)
	}
}

// dialed answers a dial, to the listener's subject or its own, and hands
// the connection to Accept. A message that is no dial gets no answer.
func (l *Listener) dialed(m *nats.Msg) {
	d, err := parseHello(m.Data)
	if err != nil || d.kind != kindDial || m.Reply == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case d.version != protocolVersion:
		l.refuse(m.Reply, reasonVersion)
		return
	case l.closed:
		l.refuse(m.Reply, reasonClosing)
		return
	case len(l.backlog) == cap(l.backlog):
		l.refuse(m.Reply, reasonBacklog)
		return
	case d.window < minWindow || d.window > maxWindow || d.maxPayload < minPayload:
		return
	}
	c := newConn(l.h, Addr(l.subject), Addr(m.Reply))
	if !l.h.add(c) {
		l.refuse(m.Reply, reasonClosing)
		return
	}
	c.establish(m.Reply, d.window, d.maxPayload)
	accept := appendHello(nil, hello{
		kind:       kindAccept,
		version:    protocolVersion,
		window:     recvWindow,
		maxPayload: uint64(l.h.nc.MaxPayload()),
		inbox:      c.inbox,
		resume:     l.h.prefix + dialToken,
	})
	if err := l.h.nc.Publish(m.Reply, accept); err != nil {
		_ = c.Close()
		return
	}
	l.backlog <- c // room is certain: only dialed sends, under l.mu
}

func (l *Listener) refuse(to string, r reason) {
	_ = l.h.nc.Publish(to, appendHello(nil, hello{kind: kindRefuse, reason: r}))
}
