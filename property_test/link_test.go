package property_test

import (
	"context"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// link is a listener on loopback and k clients of it, through one API. The
// check's cleanup ends them all and waits until they stopped.
type link[T any] struct {
	// listener is the channel API listener's own pair of channels; nil for
	// typed, whose listener hands out one Conn per client instead.
	listener *end[T]
	// servers holds, for typed, the listener's Conn of each client, in the
	// clients' order; nil for the channel API.
	servers []*end[T]
	clients []*end[T]
	// cancelListener and cancelClient end the listener's ctx and one
	// client's ctx.
	cancelListener context.CancelFunc
	cancelClient   []context.CancelFunc
	// waits end once everything of the listener or a client stopped, after
	// its ctx ended.
	waitListener func()
	waitClient   []func()
}

// connect starts a listener with the options of s and extra, and dials it k
// times.
func connect[T any](t *rapid.T, s setup, k int, extra ...netchan.Option) *link[T] {
	t.Helper()
	return connectVia[T](t, s, k, nil, extra...)
}

// connectVia is connect with the clients dialing via(the listener's
// address) instead, such as a proxy in front of it; nil via dials the
// listener.
func connectVia[T any](t *rapid.T, s setup, k int, via func(addr string) string, extra ...netchan.Option) *link[T] {
	t.Helper()
	l := &link[T]{}
	lctx, lcancel := context.WithCancel(context.Background())
	l.cancelListener = lcancel
	t.Cleanup(l.shutdown)
	ln := testkit.Loopback(s.t)
	addr := ln.Addr().String()
	if via != nil {
		addr = via(addr)
	}
	lopts := s.options(true, append([]netchan.Option{netchan.WithListener(ln)}, extra...)...)

	var tl *typed.Listener[T]
	if s.api == chanAPI {
		errs := &errorLog{}
		send, recv, err := netchan.Listen[T](lctx, "", append(lopts, netchan.OnError(errs.add))...)
		if err != nil {
			t.Fatalf("Listen: %v", err)
		}
		l.listener = chanEnd(send, recv, errs, false)
		l.waitListener = func() { drain(recv) }
	} else {
		var err error
		tl, err = typed.Listen[T](lctx, "", lopts...)
		if err != nil {
			t.Fatalf("Listen: %v", err)
		}
		l.waitListener = func() { _ = tl.Close() }
	}

	for range k {
		dctx, dcancel := context.WithCancel(context.Background())
		l.cancelClient = append(l.cancelClient, dcancel)
		dopts := s.options(false, extra...)
		if s.api == chanAPI {
			errs := &errorLog{}
			send, recv, err := netchan.Dial[T](dctx, addr, append(dopts, netchan.OnError(errs.add))...)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			l.clients = append(l.clients, chanEnd(send, recv, errs, true))
			l.waitClient = append(l.waitClient, func() { drain(recv) })
			continue
		}
		c, err := typed.Dial[T](dctx, addr, dopts...)
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		l.clients = append(l.clients, typedEnd(c))
		l.waitClient = append(l.waitClient, func() { _ = c.Close() })
		// Accept right after each dial, so servers[i] is clients[i]'s peer.
		actx, acancel := context.WithTimeout(context.Background(), testkit.Patience)
		sc, err := tl.Accept(actx)
		acancel()
		if err != nil {
			t.Fatalf("Accept: %v", err)
		}
		l.servers = append(l.servers, typedEnd(sc))
		wl := l.waitListener
		l.waitListener = func() { _ = sc.Close(); wl() }
	}
	return l
}

// pair returns the two ends of the first client's connection: the
// listener's and the client's.
func (l *link[T]) pair() (srv, cli *end[T]) {
	if l.listener != nil {
		return l.listener, l.clients[0]
	}
	return l.servers[0], l.clients[0]
}

// shutdown ends every context and waits until everything stopped.
func (l *link[T]) shutdown() {
	l.cancelListener()
	for _, c := range l.cancelClient {
		c()
	}
	for _, w := range l.waitClient {
		w()
	}
	if l.waitListener != nil {
		l.waitListener()
	}
}

// drain receives from ch until it is closed, which the channel API does
// once everything behind ch stopped, or until testkit.Patience passed.
func drain[T any](ch <-chan T) {
	timeout := time.After(testkit.Patience)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			return
		}
	}
}
