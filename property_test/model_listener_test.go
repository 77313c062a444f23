package property_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestModelListener runs random sequences of sends, receives and closes on
// a channel API listener with several clients, against a model: each
// client's direction to the listener is a Go channel of the same capacity;
// the listener's sends go to any client with room, so a listener send
// completes exactly while fewer than clients*capacity values are
// unreceived, and a receive on any client gets one of them. typed has no
// listener channels: its Conns are modelled one by one in TestModel.
func TestModelListener(t *testing.T) {
	forSetups(t, 10, []api{chanAPI}, func(t *rapid.T, s setup) {
		k := rapid.IntRange(1, 3).Draw(t, "clients")
		capacity := rapid.IntRange(1, 5).Draw(t, "capacity")
		l := connect[int](t, s, k, netchan.WithBuffer(capacity))
		m := &listenerModel{l: l, capacity: capacity, last: make([]int, k), gone: make([]bool, k), sent: map[int]bool{}}
		for j := range k {
			m.last[j] = -1
			m.up = append(m.up, newDirection(l.clients[j], l.listener, capacity))
		}
		defer m.abandon()
		actions := map[string]func(*rapid.T){
			"": func(t *rapid.T) {
				for _, e := range append([]*end[int]{l.listener}, l.clients...) {
					if errs := e.errs.all(); len(errs) != 0 {
						t.Fatalf("OnError: %v", errs)
					}
				}
			},
			"close listener": m.closeDown,
			"close client":   func(t *rapid.T) { m.up[rapid.IntRange(0, k-1).Draw(t, "client")].close(t) },
			"recv listener":  m.recvUp,
		}
		for i := range 3 {
			actions[fmt.Sprintf("send listener %d", i)] = m.sendDown
			actions[fmt.Sprintf("recv clients %d", i)] = m.recvDown
			actions[fmt.Sprintf("send client %d", i)] = func(t *rapid.T) {
				j := rapid.IntRange(0, k-1).Draw(t, "client")
				m.seq++
				m.up[j].send(t, 1000*j+m.seq)
			}
		}
		t.Repeat(actions)
	})
}

// listenerModel is the state of TestModelListener.
type listenerModel struct {
	l        *link[int]
	capacity int
	up       []*direction // client j to the listener

	next    int          // the listener's next value
	sent    map[int]bool // listener values sent and not yet received
	pending *pendingSend // a listener send the model blocks
	closed  bool         // the listener closed its send channel
	last    []int        // the last value each client received
	gone    []bool       // each client's receive channel was seen closed
	seq     int          // numbers the clients' values
}

func (m *listenerModel) sendDown(t *rapid.T) {
	if m.closed || m.pending != nil {
		t.Skip("a send on a closed channel panics; one blocked sender at a time")
	}
	v := m.next
	m.next++
	ctx, cancel := context.WithCancel(context.Background())
	p := &pendingSend{v: v, done: make(chan error, 1), cancel: cancel}
	go func() { p.done <- m.l.listener.send(ctx, v) }()
	if len(m.sent) < len(m.l.clients)*m.capacity {
		p.wait(t)
		m.sent[v] = true
		return
	}
	select {
	case err := <-p.done:
		t.Fatalf("listener send of %d completed (err %v) with every client full", v, err)
	case <-time.After(testkit.Settle):
	}
	m.pending = p
}

// recvDown receives on whichever client has a value.
func (m *listenerModel) recvDown(t *rapid.T) {
	if len(m.sent) == 0 {
		if m.closed {
			for j, c := range m.l.clients {
				if v, ok := c.mustRecv(t); ok {
					t.Fatalf("client %d got %d after the listener closed and all was received", j, v)
				}
			}
			return
		}
		if j, v, ok := m.selectClients(t, testkit.Settle); j >= 0 {
			t.Fatalf("client %d got %d (ok %v) with nothing sent", j, v, ok)
		}
		return
	}
	for {
		j, v, ok := m.selectClients(t, testkit.Patience)
		if j < 0 {
			t.Fatalf("no client got any of %d values within %v", len(m.sent), testkit.Patience)
		}
		if !ok {
			if !m.closed {
				t.Fatalf("client %d's channel closed, the listener's is open", j)
			}
			m.gone[j] = true
			continue
		}
		if !m.sent[v] || v <= m.last[j] {
			t.Fatalf("client %d got %d: not sent, sent twice, or out of order (its last %d)", j, v, m.last[j])
		}
		delete(m.sent, v)
		m.last[j] = v
		break
	}
	if p := m.pending; p != nil {
		m.pending = nil
		p.wait(t)
		m.sent[p.v] = true
	}
}

// selectClients receives from any client not seen closed, or returns
// j = -1 after d.
func (m *listenerModel) selectClients(t *rapid.T, d time.Duration) (j, v int, ok bool) {
	var cases []reflect.SelectCase
	var who []int
	for i, c := range m.l.clients {
		if !m.gone[i] {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(c.ch)})
			who = append(who, i)
		}
	}
	cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(time.After(d))})
	i, rv, ok := reflect.Select(cases)
	if i == len(who) {
		return -1, 0, false
	}
	if ok {
		v = int(rv.Int())
	}
	return who[i], v, ok
}

// recvUp receives on the listener, from whichever client: per client, the
// model is a Go channel, so the value must be one client's next.
func (m *listenerModel) recvUp(t *rapid.T) {
	if !slices.ContainsFunc(m.up, func(d *direction) bool { return len(d.model) > 0 }) {
		if v, ok, blocks := m.l.listener.recvBlocks(t); !blocks {
			t.Fatalf("listener got %d (ok %v) with nothing sent", v, ok)
		}
		return
	}
	v, ok := m.l.listener.mustRecv(t)
	if !ok || v/1000 >= len(m.up) {
		t.Fatalf("listener got %d (ok %v)", v, ok)
	}
	d := m.up[v/1000]
	if want, _, _ := d.modelRecv(); want != v {
		t.Fatalf("listener got %d, client %d's next is %d", v, v/1000, want)
	}
	if p := d.pending; p != nil {
		d.pending = nil
		p.wait(t)
	}
}

func (m *listenerModel) closeDown(t *rapid.T) {
	if m.closed || m.pending != nil {
		t.Skip("closing twice, or under a blocked sender, panics")
	}
	m.closed = true
	m.l.listener.closeSend()
}

func (m *listenerModel) abandon() {
	if m.pending != nil {
		m.pending.cancel()
		<-m.pending.done
	}
	for _, d := range m.up {
		d.abandon()
	}
}
