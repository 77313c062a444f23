package conn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// MainStream is the id of the stream every connection opens: the values of
// the channel pair the connection was made for.
const MainStream = 1

// Conn is an established connection, after the handshake.
//
// All methods are safe for concurrent use. A Conn owns a reader and a writer
// goroutine; Close stops both and waits for them.
type Conn struct {
	nc       net.Conn
	cfg      *Config
	peer     wire.Hello
	capacity int
	w        *writer
	main     *Stream

	once       gosync.Once
	errMu      gosync.Mutex
	err        error         // why the connection ended; set once
	readerDone chan struct{} // closed when the reader returns
	ending     chan struct{} // closed when the connection starts ending
	done       chan struct{} // closed when both goroutines returned
	peerBye    atomic.Pointer[wire.GoAway]
	release    func()      // runs once the connection ended; may be nil
	dog        *watchdog   // nil without idle timeouts
	turn       turn        // who reads: see turn.go
	fr         frameReader // the turn holder's
}

func newConn(nc net.Conn, cfg *Config, peer wire.Hello, release func()) *Conn {
	c := &Conn{
		nc:         nc,
		cfg:        cfg,
		peer:       peer,
		capacity:   min(cfg.Capacity, int(peer.Capacity)),
		w:          newWriter(nc, cfg.IdleTimeout),
		readerDone: make(chan struct{}),
		ending:     make(chan struct{}),
		done:       make(chan struct{}),
		release:    release,
	}
	// A rendezvous sender waits for each value's acknowledgement, so there
	// is nothing to batch: the caller writes its frame itself and saves
	// the writer goroutine's wake-up, on both ends of the round trip; and
	// a goroutine that waits reads its frame itself (turn.go).
	c.w.now = c.capacity == 0
	c.turn.init(c, c.capacity == 0)
	c.fr.br = bufio.NewReaderSize(nc, readBuffer)
	c.main = newStream(c, MainStream, c.capacity)
	c.startWatchdog()
	go c.read()
	go c.write()
	return c
}

// Stream returns the connection's main stream.
func (c *Conn) Stream() *Stream { return c.main }

// Capacity returns the capacity the two ends agreed on: the smaller of their
// two offers. 0 means rendezvous.
func (c *Conn) Capacity() int { return c.capacity }

// PeerMaxValue returns the largest encoded value the peer accepts.
func (c *Conn) PeerMaxValue() int { return int(min(c.peer.MaxValue, MaxValueLimit)) }

// MaxValueLimit is the largest value size an end may accept. Frame lengths
// are 32 bits; this keeps well clear of them.
const MaxValueLimit = 1 << 30

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the peer's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// TLS returns the TLS connection state, or nil on an insecure connection.
func (c *Conn) TLS() *tls.ConnectionState {
	if tc, ok := c.nc.(*tls.Conn); ok {
		st := tc.ConnectionState()
		return &st
	}
	return nil
}

// Done is closed when the connection has ended and its goroutines returned.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Ending is closed as soon as the connection starts ending, when Err
// becomes non-nil: from then on no value can be sent, though Done may
// follow only after the last frames were flushed.
func (c *Conn) Ending() <-chan struct{} { return c.ending }

// Err returns why the connection ended: nil while it is open, ErrClosed after
// this end closed it, or the first failure.
func (c *Conn) Err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.err
}

// Close ends the connection: it tells the peer, flushes what is queued (for
// at most a short linger if the peer does not read), and waits for the
// connection's goroutines. It is idempotent and returns nil.
func (c *Conn) Close() error {
	c.fail(ErrClosed)
	<-c.done
	return nil
}

// Abort starts ending the connection because of err, which the peer is
// told; Done is closed when it has ended. Layers above use it when a peer
// sent something they cannot accept, such as a value beyond a codec's
// limits. Abort does not wait, so it may be called with locks held.
func (c *Conn) Abort(err error) { c.fail(err) }

// fail starts ending the connection with err, once; later calls do nothing.
// It does not wait, so the reader and writer may call it.
func (c *Conn) fail(err error) {
	c.once.Do(func() {
		c.errMu.Lock()
		c.err = err
		c.errMu.Unlock()
		close(c.ending)
		c.turn.end()
		// Senders waiting for credit learn now, not after the linger.
		c.main.fail(err)
		reason := "closed"
		if !errors.Is(err, ErrClosed) {
			reason = err.Error()
		}
		c.w.goAway(wire.GoAway{Code: codeOf(err), Reason: reason})
	})
}

// write runs the writer, then closes the network connection, waits for the
// reader and finishes the connection.
func (c *Conn) write() {
	err := c.w.run()
	c.w.stopTrim()
	if err != nil {
		c.fail(lostError(err))
	} else {
		// The last frame is written. Closing now, with the peer's last
		// frames (credits, its own close) unread, would make TCP reset
		// the connection, and a reset can destroy frames of ours the
		// peer has not read yet. So end the writing side only, and read
		// on until the peer closes too, for at most the linger.
		closeWrite(c.nc)
	}
	c.turn.setDeadline(time.Now().Add(linger))
	<-c.readerDone
	c.turn.stop()
	_ = c.nc.Close()
	c.dog.stop()
	if c.release != nil {
		c.release()
	}
	close(c.done)
}

// closeWrite ends the writing side of nc: a TLS close_notify, then the
// TCP half-close, so the peer reads to the end of what was sent.
func closeWrite(nc net.Conn) {
	if tc, ok := nc.(*tls.Conn); ok {
		_ = tc.CloseWrite()
		nc = tc.NetConn()
	}
	if cw, ok := nc.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
}
