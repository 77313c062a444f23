package natsconn_test

import (
	"context"
	"net"
	"testing"

	"github.com/netchan/netchan/conn/natsconn"
	"golang.org/x/net/nettest"
)

// natsconn's connections keep net.Conn's contract, in both roles: the
// dialer's end as c1, then the listener's.
func TestNetConn(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	for _, role := range []string{"dialer", "listener"} {
		t.Run(role, func(t *testing.T) {
			nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
				l, err := natsconn.Listen(nc, "nettest")
				if err != nil {
					return nil, nil, nil, err
				}
				ctx, cancel := context.WithTimeout(context.Background(), patience)
				defer cancel()
				d, err := natsconn.Dialer(nc)(ctx, "nettest")
				if err != nil {
					l.Close()
					return nil, nil, nil, err
				}
				a, err := l.Accept()
				if err != nil {
					l.Close()
					d.Close()
					return nil, nil, nil, err
				}
				stop = func() {
					d.Close()
					a.Close()
					l.Close()
				}
				if role == "listener" {
					return a, d, stop, nil
				}
				return d, a, stop, nil
			})
		})
	}
	if n := nc.NumSubscriptions(); n != 0 {
		t.Fatalf("%d subscriptions remain with every listener and connection closed", n)
	}
}
