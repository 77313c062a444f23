package natsconn

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/nats-io/nats.go"
)

// Dialer returns a function that dials natsconn listeners over nc, for
// netchan.WithDialer: the address it takes is the subject a listener
// listens on, or a connection's ResumeAddr.
//
// A dial publishes a request to the subject, which one listener of its
// queue group answers. It fails at once with ErrNoListener when no
// listener subscribes to the subject, with ErrRefused when the listener
// refuses, and with ctx's error when ctx ends first.
//
// The connections it makes share one subscription on nc, under an inbox
// subject of their own; it is unsubscribed when the last of them closes.
// The function may be called concurrently.
func Dialer(nc *nats.Conn) func(ctx context.Context, subject string) (net.Conn, error) {
	d := &dialer{nc: nc}
	return d.dial
}

type dialer struct {
	nc *nats.Conn

	mu sync.Mutex
	h  *hub // nil, or perhaps released for good: see open
}

func (d *dialer) dial(ctx context.Context, subject string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("natsconn: dial %s: %w", subject, context.Cause(ctx))
	}
	c, err := d.open(subject)
	if err != nil {
		return nil, fmt.Errorf("natsconn: dial %s: %w", subject, err)
	}
	hello := appendHello(nil, hello{kind: kindDial, version: protocolVersion, window: recvWindow, maxPayload: uint64(d.nc.MaxPayload())})
	c.mu.Lock()
	accepted := c.accepted
	c.mu.Unlock()
	if err := d.nc.PublishRequest(subject, c.inbox, hello); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("natsconn: dial %s: %w", subject, err)
	}
	select {
	case <-accepted:
	case <-ctx.Done():
		_ = c.Close()
		return nil, fmt.Errorf("natsconn: dial %s: %w", subject, context.Cause(ctx))
	}
	c.mu.Lock()
	err = c.err
	c.mu.Unlock()
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("natsconn: dial %s: %w", subject, err)
	}
	return c, nil
}

// open registers a connection for a dial in the dialer's hub, subscribing
// a new hub if there is none or the last one was released.
func (d *dialer) open(subject string) (*Conn, error) {
	if d.nc.MaxPayload() < minPayload {
		return nil, fmt.Errorf("the NATS server takes messages of %d bytes, natsconn needs %d", d.nc.MaxPayload(), minPayload)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.h != nil {
		if c := d.newConn(d.h, subject); c != nil {
			return c, nil
		}
	}
	h, err := newHub(d.nc, nil, nil)
	if err != nil {
		return nil, err
	}
	d.h = h
	c := d.newConn(h, subject)
	h.release() // the connection holds it now
	return c, nil
}

func (d *dialer) newConn(h *hub, subject string) *Conn {
	c := newConn(h, "", Addr(subject))
	c.accepted = make(chan struct{})
	if !h.add(c) {
		return nil
	}
	c.local = Addr(c.inbox)
	return c
}
