package stats

import (
	"encoding/json"
	"expvar"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"
)

// fake is a connection whose figures the test sets.
type fake struct {
	st   Conn
	addr string
	done chan struct{}
}

func newFake(addr string, st Conn) *fake { return &fake{st: st, addr: addr, done: make(chan struct{})} }

func (f *fake) Stats() Conn { return f.st }
func (f *fake) RemoteAddr() net.Addr {
	return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(f.addr))
}
func (f *fake) Done() <-chan struct{} { return f.done }

func TestSetTotals(t *testing.T) {
	var s Set
	a := newFake("127.0.0.1:1", Conn{ValuesSent: 1, ValuesReceived: 2, BytesSent: 10, BytesReceived: 20, InFlight: 1, CreditWait: time.Second, RTT: 3 * time.Millisecond, Resumes: 1})
	b := newFake("127.0.0.1:2", Conn{ValuesSent: 100, InFlight: 5, RTT: time.Millisecond})
	c := newFake("127.0.0.1:3", Conn{ValuesSent: 1000, InFlight: 7, RTT: time.Hour, Resumes: 2})
	for _, f := range []*fake{a, b, c} {
		s.Add(f)
	}
	close(c.done)
	got := s.Totals()
	want := Totals{Conns: 3, Open: 2, Conn: Conn{
		ValuesSent: 1101, ValuesReceived: 2, BytesSent: 10, BytesReceived: 20,
		InFlight: 6, CreditWait: time.Second, RTT: 3 * time.Millisecond, Resumes: 3,
	}}
	if got != want {
		t.Fatalf("totals\n %+v\nwant\n %+v\n(an ended connection's values in flight and round trip do not count)", got, want)
	}
	// The ended connection's figures stay once it is let go of.
	close(a.done)
	got = s.Totals()
	if got.Open != 1 || got.ValuesSent != 1101 || got.InFlight != 5 || got.RTT != time.Millisecond {
		t.Fatalf("after a second end: %+v", got)
	}
}

// A set that nobody reads lets go of the connections that ended as more
// are added.
func TestSetLetsGoOfEndedConns(t *testing.T) {
	var s Set
	for range 1000 {
		f := newFake("127.0.0.1:1", Conn{ValuesSent: 1})
		close(f.done)
		s.Add(f)
	}
	s.mu.Lock()
	held := len(s.open)
	s.mu.Unlock()
	if held > 2*minSweep {
		t.Fatalf("the set holds %d ended connections", held)
	}
	if got := s.Totals(); got.Conns != 1000 || got.ValuesSent != 1000 || got.Open != 0 {
		t.Fatalf("totals %+v; want 1000 connections of one value each, none open", got)
	}
}

// published numbers the names the tests publish, so that they differ
// when a test runs again in one process.
var published int

func TestSetPublish(t *testing.T) {
	var s Set
	s.Add(newFake("127.0.0.1:7", Conn{ValuesSent: 42, RTT: time.Millisecond}))
	published++
	name := fmt.Sprint("stats-test-set-", published)
	if err := s.Publish(name); err != nil {
		t.Fatal(err)
	}
	if err := (&Set{}).Publish(name); err == nil {
		t.Fatal("a second Publish under the same name did not fail")
	}
	var got struct {
		Conns      uint64 `json:"conns"`
		Open       int    `json:"open"`
		ValuesSent uint64 `json:"values_sent"`
		Peers      []struct {
			Remote     string `json:"remote"`
			ValuesSent uint64 `json:"values_sent"`
			RTT        int64  `json:"rtt_ns"`
		} `json:"peers"`
	}
	if err := json.Unmarshal([]byte(expvar.Get(name).String()), &got); err != nil {
		t.Fatal(err)
	}
	if got.Conns != 1 || got.Open != 1 || got.ValuesSent != 42 || len(got.Peers) != 1 ||
		got.Peers[0].Remote != "127.0.0.1:7" || got.Peers[0].ValuesSent != 42 || got.Peers[0].RTT != int64(time.Millisecond) {
		t.Fatalf("published %+v", got)
	}
}
