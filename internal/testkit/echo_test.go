package testkit

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// echo is the upstream of the proxy's tests: a TCP server that sends back
// what it reads and, when a connection ends, reports all it read.
type echo struct {
	relay
	ended chan []byte
}

// startEcho starts an echo server; the caller closes it.
func startEcho() (*echo, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e := &echo{ended: make(chan []byte, 64)}
	e.serve(ln, e.serveConn)
	return e, nil
}

// newEcho starts an echo server that the test's cleanup closes.
func newEcho(tb testing.TB) *echo {
	tb.Helper()
	e, err := startEcho()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.Close)
	return e
}

func (e *echo) serveConn(c net.Conn) {
	var got []byte
	buf := make([]byte, 4096)
	echoing := true
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if echoing && n > 0 {
			// Once the way back fails, go on reading, to report all that came.
			_, werr := c.Write(buf[:n])
			echoing = werr == nil
		}
		if err != nil {
			break
		}
	}
	// A test that makes more connections than this holds reads none of them.
	select {
	case e.ended <- got:
	default:
	}
}

// dial connects to addr; the test's cleanup closes the connection.
func dial(tb testing.TB, addr string) net.Conn {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, Patience)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// roundTrip sends msg on c and fails the test unless the same comes back.
func roundTrip(tb testing.TB, c net.Conn, msg string) {
	tb.Helper()
	_ = c.SetDeadline(time.Now().Add(Patience))
	if _, err := c.Write([]byte(msg)); err != nil {
		tb.Fatalf("writing %q: %v", msg, err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		tb.Fatalf("reading back %q: %v", msg, err)
	}
	if string(got) != msg {
		tb.Fatalf("sent %q, got back %q", msg, got)
	}
}

// readToEnd reads c until it ends and returns what came and how it ended.
// An end that is a timeout (nothing ended c within Patience) is returned as
// errStuck.
func readToEnd(c net.Conn) ([]byte, error) {
	_ = c.SetReadDeadline(time.Now().Add(Patience))
	var got []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return got, errStuck
		}
		return got, err
	}
}

var errStuck = errors.New("the connection did not end within Patience")

// isPrefix reports whether p begins whole.
func isPrefix(p, whole []byte) bool {
	return len(p) <= len(whole) && bytes.Equal(p, whole[:len(p)])
}
