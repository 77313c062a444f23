package conn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"

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

// read runs the reader until the connection fails or ends.
func (c *Conn) read() {
	defer close(c.readerDone)
	br := bufio.NewReaderSize(c.nc, readBuffer)
	var hdr [wire.HeaderSize]byte
	var ctl [maxControl]byte
	// In 64 bits, so that a MaxValue near 4 GiB cannot wrap the bound.
	maxData := maxPrefix + uint64(c.cfg.MaxValue)
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			c.fail(c.readError(err))
			return
		}
		if c.dog != nil {
			c.dog.reads.Add(1)
		}
		h, err := wire.ParseHeader(hdr[:])
		if err != nil {
			c.fail(fmt.Errorf("%w: %w", ErrProtocol, err))
			return
		}
		if h.Kind == wire.KindData {
			if uint64(h.Length) > maxData {
				c.fail(fmt.Errorf("%w: peer sent a value of %d bytes, this end accepts %d", ErrTooLarge, h.Length, c.cfg.MaxValue))
				return
			}
			// Refuse a value beyond the window before allocating for it,
			// so a peer cannot make this end hold more than the window:
			// in values, and in bytes by the smallest size the frame
			// can hold. A frame that fits the read buffer needs no
			// allocation; the stream checks it once it is parsed.
			s, err := c.stream(h.Stream)
			if err != nil {
				c.fail(err)
				return
			}
			if int(h.Length) > br.Size() {
				if err := s.recv.Room(int(uint64(h.Length) - min(uint64(h.Length), maxPrefix))); err != nil {
					c.fail(fmt.Errorf("%w: %w", ErrProtocol, err))
					return
				}
			}
			if err := c.readData(br, h); err != nil {
				c.fail(err)
				return
			}
			continue
		}
		if h.Length > maxControl {
			c.fail(fmt.Errorf("%w: %s frame of %d bytes", ErrProtocol, h.Kind, h.Length))
			return
		}
		p := ctl[:h.Length]
		if _, err := io.ReadFull(br, p); err != nil {
			c.fail(c.readError(err))
			return
		}
		if err := c.onControl(h, p); err != nil {
			c.fail(err)
			return
		}
	}
}

func (c *Conn) stream(id uint32) (*Stream, error) {
	if id != MainStream {
		return nil, fmt.Errorf("%w: frame for unknown stream %d", ErrProtocol, id)
	}
	return c.main, nil
}

// readData reads a data frame's payload and hands its value to the stream.
// A frame that fits the read buffer is used where it lies there, without a
// copy; a larger one is read into a pooled buffer for the call.
func (c *Conn) readData(br *bufio.Reader, h wire.Header) error {
	n := int(h.Length)
	if n <= br.Size() {
		frame, err := br.Peek(n)
		if err != nil {
			return c.readError(err)
		}
		err = c.onData(h.Stream, frame)
		_, _ = br.Discard(n) // cannot fail: Peek returned n bytes
		return err
	}
	buf := pool.Get(n)
	defer pool.Put(buf)
	if _, err := io.ReadFull(br, *buf); err != nil {
		return c.readError(err)
	}
	return c.onData(h.Stream, *buf)
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
