package conn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/netchan/netchan/internal/pool"
	"github.com/netchan/netchan/internal/wire"
)

// readBuffer is the reader's buffer. Small, since TLS buffers a record
// already; enough to gather many small frames per system call in plaintext.
const readBuffer = 4 << 10

// maxControl bounds the payload of every frame but data.
const maxControl = 16 + wire.MaxReason

// maxPrefix is the longest sequence number prefix of a data frame: a frame
// of length n holds a value of at least n - maxPrefix bytes.
var maxPrefix = uint64(wire.DataPrefixLen(^uint64(0)))

// frameReader is the state of reading frames: whoever holds the turn uses
// it, one goroutine at a time. A read cut short by a deadline leaves what
// it read here, for the next read to go on with.
type frameReader struct {
	br *bufio.Reader
	// A data frame too large for br, partly read into large.
	h     wire.Header
	large *[]byte
	got   int
}

// read runs the reader goroutine until the connection fails or ends.
func (c *Conn) read() {
	defer close(c.readerDone)
	for c.turn.await() {
		timedOut, err := c.readFrame()
		if err != nil {
			if timedOut {
				err = c.readError(err)
			}
			c.fail(err)
			return
		}
		c.turn.stepAside(c.fr.br.Buffered())
	}
}

// readFrame reads and handles one frame. A read deadline that passed is
// reported with timedOut and the network's error, and loses nothing: the
// next call goes on where this one stopped. Any other error ends the
// connection.
func (c *Conn) readFrame() (timedOut bool, err error) {
	fr := &c.fr
	if fr.large != nil {
		return c.readLarge()
	}
	p, err := fr.br.Peek(wire.HeaderSize)
	if err != nil {
		return c.ioError(err)
	}
	h, err := wire.ParseHeader(p)
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if h.Kind != wire.KindData {
		if h.Length > maxControl {
			return false, fmt.Errorf("%w: %s frame of %d bytes", ErrProtocol, h.Kind, h.Length)
		}
		frame, err := fr.br.Peek(wire.HeaderSize + int(h.Length))
		if err != nil {
			return c.ioError(err)
		}
		c.counted()
		err = c.onControl(h, frame[wire.HeaderSize:])
		_, _ = fr.br.Discard(len(frame)) // cannot fail: Peek returned as many
		return false, err
	}
	// In 64 bits, so that a MaxValue near 4 GiB cannot wrap the bound.
	if uint64(h.Length) > maxPrefix+uint64(c.cfg.MaxValue) {
		return false, fmt.Errorf("%w: peer sent a value of %d bytes, this end accepts %d", ErrTooLarge, h.Length, c.cfg.MaxValue)
	}
	s, err := c.stream(h.Stream)
	if err != nil {
		return false, err
	}
	if n := wire.HeaderSize + int(h.Length); n <= fr.br.Size() {
		// Used where it lies in the read buffer, without a copy. The
		// stream checks the window once the frame is parsed.
		frame, err := fr.br.Peek(n)
		if err != nil {
			return c.ioError(err)
		}
		c.counted()
		err = c.onData(h.Stream, frame[wire.HeaderSize:])
		_, _ = fr.br.Discard(n)
		return false, err
	}
	// Refuse a value beyond the window before allocating for it, so a
	// peer cannot make this end hold more than the window: in values,
	// and in bytes by the smallest size the frame can hold.
	if err := s.recv.Room(int(uint64(h.Length) - min(uint64(h.Length), maxPrefix))); err != nil {
		return false, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	_, _ = fr.br.Discard(wire.HeaderSize)
	fr.h, fr.large, fr.got = h, pool.Get(int(h.Length)), 0
	return c.readLarge()
}

// readLarge goes on reading a data frame too large for the read buffer,
// into a pooled buffer, and hands its value to the stream.
func (c *Conn) readLarge() (timedOut bool, err error) {
	fr := &c.fr
	for fr.got < len(*fr.large) {
		n, err := fr.br.Read((*fr.large)[fr.got:])
		fr.got += n
		if err != nil {
			return c.ioError(err)
		}
	}
	buf := fr.large
	fr.large = nil
	defer pool.Put(buf)
	c.counted()
	return false, c.onData(fr.h.Stream, *buf)
}

// counted tells the idle watchdog a frame arrived.
func (c *Conn) counted() {
	if c.dog != nil {
		c.dog.reads.Add(1)
	}
}

// ioError sorts a network read error: a deadline that passed may be
// resumed from, anything else ends the connection.
func (c *Conn) ioError(err error) (timedOut bool, _ error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true, err
	}
	return false, c.readError(err)
}

func (c *Conn) stream(id uint32) (*Stream, error) {
	if id != MainStream {
		return nil, fmt.Errorf("%w: frame for unknown stream %d", ErrProtocol, id)
	}
	return c.main, nil
}

func (c *Conn) onData(id uint32, frame []byte) error {
	s, err := c.stream(id)
	if err != nil {
		return err
	}
	d, err := wire.ParseData(frame)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	// The header check allowed for the longest sequence number; a shorter
	// one leaves room that the value itself must not take.
	if len(d.Value) > c.cfg.MaxValue {
		return fmt.Errorf("%w: peer sent a value of %d bytes, this end accepts %d", ErrTooLarge, len(d.Value), c.cfg.MaxValue)
	}
	return s.arrived(d)
}

func (c *Conn) onControl(h wire.Header, p []byte) error {
	switch h.Kind {
	case wire.KindCredit, wire.KindClose:
		s, err := c.stream(h.Stream)
		if err != nil {
			return err
		}
		n, err := wire.ParseCount(p, h.Kind)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		if h.Kind == wire.KindCredit {
			err = s.send.Grant(n)
		} else {
			err = s.closed(n)
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		return nil
	case wire.KindPing:
		if len(p) != 0 {
			return fmt.Errorf("%w: ping with a payload", ErrProtocol)
		}
		return nil
	case wire.KindGoAway:
		g, err := wire.ParseGoAway(p)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		c.peerBye.Store(&g)
		return nil
	}
	return fmt.Errorf("%w: unexpected %s frame after the handshake", ErrProtocol, h.Kind)
}

// readError names why reading stopped.
func (c *Conn) readError(err error) error {
	if g := c.peerBye.Load(); g != nil {
		if g.Code == wire.CodeNormal || g.Code == wire.CodeShutdown {
			return fmt.Errorf("%w (%s)", ErrPeerClosed, g.Reason)
		}
		return &GoAwayError{Code: g.Code, Reason: g.Reason}
	}
	if c.Err() != nil {
		return c.Err() // this end closed the connection under the reader
	}
	return lostError(err)
}

func lostError(err error) error {
	var ne net.Error
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	} else if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: %w", ErrConnLost, &timeoutError{"write to a peer that does not read"})
	}
	return fmt.Errorf("%w: %w", ErrConnLost, err)
}
