package options

import (
	"net"

	"github.com/netchan/netchan/stats"
)

// Conn is what Settings.OnConnect receives of each connection: the
// netchan.Conn the root package's OnConnect hands the program wraps it.
type Conn interface {
	Stats() stats.Conn
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
	Done() <-chan struct{}
	Err() error
}
