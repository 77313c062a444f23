package natsconn_test

import (
	"context"
	"net"
	"testing"

	"github.com/netchan/netchan/conn/natsconn"
	"github.com/netchan/netchan/internal/testkit"
)

// A connection's ResumeAddr reaches the listener that accepted it, never
// another member of its queue group, for as long as that listener is open.
func TestResumeAddrReachesTheSameListener(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	type accepted struct {
		listener int
		c        net.Conn
	}
	acc := make(chan accepted, 64)
	var listeners []net.Listener
	for i := range 2 {
		l, err := natsconn.Listen(connect(t, s.ClientURL()), "resumable")
		if err != nil {
			t.Fatal(err)
		}
		listeners = append(listeners, l)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				acc <- accepted{i, c}
			}
		}()
	}
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	dial := natsconn.Dialer(connect(t, s.ClientURL()))
	first, err := dial(ctx, "resumable")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	home, _ := testkit.Recv(t, acc)
	defer home.c.Close()
	resume := first.(*natsconn.Conn).ResumeAddr()
	if resume == "" || resume == "resumable" {
		t.Fatalf("ResumeAddr: %q, want the listener's own subject", resume)
	}
	if r := home.c.(*natsconn.Conn).ResumeAddr(); r != "" {
		t.Fatalf("an accepted connection's ResumeAddr: %q, want none", r)
	}
	// With two listeners, 20 dials to the queue group would all reach one
	// of them once in half a million runs.
	for range 20 {
		c, err := dial(ctx, resume)
		if err != nil {
			t.Fatalf("dial to ResumeAddr: %v", err)
		}
		a, _ := testkit.Recv(t, acc)
		if a.listener != home.listener {
			t.Fatalf("a dial to ResumeAddr reached listener %d, not %d", a.listener, home.listener)
		}
		echo(t, c, a.c)
		if got := c.(*natsconn.Conn).ResumeAddr(); got != resume {
			t.Fatalf("the resumed connection's ResumeAddr: %q, want %q", got, resume)
		}
		_ = c.Close()
		_ = a.c.Close()
	}
}
