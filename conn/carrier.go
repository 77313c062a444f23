package conn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan/internal/pool"
	"github.com/netchan/netchan/internal/wire"
)

// carrier is one network connection of a session, after its handshake. It
// lives until it breaks or the session ends; a resumed session gets a new
// one. Its reader goroutine reads frames and hands them to the session; the
// session's own goroutine writes.
type carrier struct {
	s     *Session
	nc    net.Conn      // secured
	raw   net.Conn      // as dialed or accepted, under TLS if any
	br    *bufio.Reader // over nc, holding what followed the handshake
	hello wire.Hello    // the dialer's, on a listener's resumed connection
	dog   *watchdog     // nil without idle timeouts

	once       gosync.Once
	err        error         // why the carrier ended; set before dead closes
	dead       chan struct{} // closed when the carrier failed or the peer said goodbye
	readerDone chan struct{}
	reads      atomic.Uint64 // frames read, for the watchdog
	writes     atomic.Uint64 // batches written, for the watchdog
	turn       turn          // who reads: see turn.go

	// A data frame too large for br, partly read into large: a caller's
	// read cut short goes on where it stopped.
	large    *[]byte
	largeGot int
	largeH   wire.Header
}

// readBuffer is the reader's buffer. Small, since TLS buffers a record
// already; enough to gather many small frames per system call in plaintext.
const readBuffer = 4 << 10

// maxControl bounds the payload of every frame but data and open.
const maxControl = 16 + wire.MaxReason

// maxPrefix is the longest sequence number prefix of a data frame: a frame
// of length n holds a value of at least n - maxPrefix bytes.
var maxPrefix = uint64(wire.DataPrefixLen(^uint64(0)))

func newCarrier(nc, raw net.Conn, br *bufio.Reader) *carrier {
	return &carrier{nc: nc, raw: raw, br: br, dead: make(chan struct{}), readerDone: make(chan struct{})}
}

// fail ends the carrier with err, once.
func (c *carrier) fail(err error) {
	c.once.Do(func() {
		c.err = err
		close(c.dead)
		c.turn.end()
	})
}

// read runs the reader goroutine until the connection fails, the peer
// says goodbye, or a frame breaks the protocol. After the goodbye it reads
// on, discarding, until the peer's end of stream (see close).
func (c *carrier) read() {
	defer close(c.readerDone)
	for {
		c.turn.awaitReader()
		if err := c.readFrame(); err != nil {
			c.fail(err)
			if c.err == errBye && halfCloses(c.nc) {
				_, _ = io.Copy(io.Discard, c.br)
			}
			return
		}
		c.turn.afterReader(c.br.Buffered())
	}
}

// readFrame reads and handles one frame. A read cut short by an
// interruption loses nothing: the next call goes on where it stopped.
func (c *carrier) readFrame() error {
	if c.large != nil {
		return c.readLarge()
	}
	p, err := c.br.Peek(wire.HeaderSize)
	if err != nil {
		return c.readError(err)
	}
	h, err := wire.ParseHeader(p)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	size := wire.HeaderSize + int(h.Length)
	switch {
	case h.Kind == wire.KindData:
		// In 64 bits, so that a MaxValue near 4 GiB cannot wrap the bound.
		if uint64(h.Length) > maxPrefix+uint64(c.s.cfg.MaxValue) {
			return fmt.Errorf("%w: peer sent a value of %d bytes, this end accepts %d", ErrTooLarge, h.Length, c.s.cfg.MaxValue)
		}
	case h.Kind == wire.KindValues:
		if h.Length > wire.MaxValuesPayload {
			return fmt.Errorf("%w: values frame of %d bytes, at most %d", ErrProtocol, h.Length, wire.MaxValuesPayload)
		}
	case h.Kind == wire.KindOpen:
		if h.Length > 2*maxControl+wire.MaxMeta {
			return fmt.Errorf("%w: open frame of %d bytes", ErrProtocol, h.Length)
		}
	case h.Length > maxControl:
		return fmt.Errorf("%w: %s frame of %d bytes", ErrProtocol, h.Kind, h.Length)
	}
	if size > c.br.Size() {
		// A data frame larger than the buffer. Refuse a value beyond the
		// window before allocating for it, so a peer cannot make this end
		// hold more than the window: in values, and in bytes by the
		// smallest size the frame can hold.
		st, err := c.s.stream(h.Stream)
		if err != nil {
			return err
		}
		if err := st.recv.Room(int(uint64(h.Length) - min(uint64(h.Length), maxPrefix))); err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		_, _ = c.br.Discard(wire.HeaderSize)
		c.large, c.largeGot, c.largeH = pool.Get(int(h.Length)), 0, h
		return c.readLarge()
	}
	// Used where it lies in the read buffer, without a copy.
	frame, err := c.br.Peek(size)
	if err != nil {
		return c.readError(err)
	}
	defer c.br.Discard(size) //nolint:errcheck // cannot fail: Peek returned as many
	return c.handle(h, frame[wire.HeaderSize:])
}

// readLarge goes on reading a data frame too large for the read buffer,
// into a pooled buffer, and handles it.
func (c *carrier) readLarge() error {
	for c.largeGot < len(*c.large) {
		n, err := c.br.Read((*c.large)[c.largeGot:])
		c.largeGot += n
		if err != nil {
			return c.readError(err)
		}
	}
	buf := c.large
	c.large = nil
	defer pool.Put(buf)
	return c.handle(c.largeH, *buf)
}

// handle hands a frame to the session and counts it.
func (c *carrier) handle(h wire.Header, payload []byte) error {
	c.reads.Add(1)
	if err := c.s.onFrame(h, payload); err != nil {
		return err
	}
	if h.Kind.Numbered() {
		c.s.countReceived(uint64(wire.HeaderSize + len(payload)))
	}
	return nil
}

// readError names why reading stopped: the peer went away, which a resume
// may mend, or this end ended the carrier under the reader.
func (c *carrier) readError(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) && c.turn.isInterrupted() {
		return errInterrupted
	}
	select {
	case <-c.dead:
		return c.err
	default:
	}
	return lostError(err)
}

// errBye ends a carrier whose peer said goodbye: the session's end, whose
// error the session has recorded.
var errBye = errors.New("netchan: the peer ended the session")

// lostError wraps a network error as the loss of the connection, which a
// session may resume from.
func lostError(err error) error {
	var ne net.Error
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	} else if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: %w", ErrConnLost, &timeoutError{"write to a peer that does not read"})
	}
	return fmt.Errorf("%w: %w", ErrConnLost, err)
}

// write writes a batch, bounding each stallChunk of it by the stall
// timeout: a peer that stops reading must not hold this end for ever, while
// a slow one with a large batch to read is no peer that stopped.
func (c *carrier) write(batch []byte, stall time.Duration) error {
	defer c.writes.Add(1)
	for len(batch) > 0 {
		n := min(len(batch), stallChunk)
		if stall > 0 {
			_ = c.nc.SetWriteDeadline(time.Now().Add(stall))
		}
		if _, err := c.nc.Write(batch[:n]); err != nil {
			return lostError(err)
		}
		batch = batch[n:]
	}
	return nil
}

const stallChunk = 256 << 10

// close ends the connection. After a goodbye it first ends the writing side
// and reads on until the peer closes too, for at most the linger: closing
// with the peer's last frames unread would make TCP reset the connection,
// and a reset can destroy frames of ours the peer has not read yet. The
// reader goes on past the peer's goodbye for the same reason, and because
// on a transport whose writes wait for the reader, as net.Pipe's do, the
// peer's TLS close_notify would otherwise wait out crypto/tls's 5 s
// deadline.
func (c *carrier) close(graceful bool) {
	c.turn.end()
	if graceful {
		closeWrite(c.nc)
		c.turn.setDeadline(time.Now().Add(linger))
		<-c.readerDone
	}
	_ = c.nc.Close()
	<-c.readerDone
	c.turn.stop()
	c.dog.stop()
}

// linger bounds how long a closing session waits to flush its last frames
// to a peer that does not read, and for the peer's own goodbye.
const linger = 2 * time.Second

// halfCloses reports whether closeWrite can end the writing side of nc, so
// that the peer reads an end of stream while its own writing side is open.
func halfCloses(nc net.Conn) bool {
	if _, ok := nc.(*tls.Conn); ok {
		return true
	}
	_, ok := nc.(interface{ CloseWrite() error })
	return ok
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
