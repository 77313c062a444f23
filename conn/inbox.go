package conn

import (
	"context"
	"io"

	"github.com/netchan/netchan/internal/pool"
)

// Inbox holds a stream's values from their arrival until the program takes
// them. The goroutine reading the connection, the reader goroutine or a
// caller of [Session.Await], calls Arrive and Close, one at a time and in
// the order of the stream; Len may be called from any goroutine.
//
// An inbox is where a layer above conn decodes: doing it as values arrive,
// in the goroutine that already has the bytes at hand, spares a copy
// of every value and a hand-off of its bytes to another goroutine.
type Inbox interface {
	// Arrive takes values of one frame, in order: one, or the several of
	// a values frame, which may come in more than one call. They are
	// valid only during the call. Arrive must not block: the stream's
	// window bounds how many values arrive before the program takes them,
	// so an inbox that holds a window's worth never needs to. An error
	// ends the connection with it.
	Arrive(values [][]byte) error
	// Close says the peer closed the stream: no value follows.
	Close()
	// Len returns how many values wait for the program.
	Len() int
}

// Message is a value's encoding as it arrived. Release it after decoding.
type Message struct {
	buf   *[]byte
	Value []byte // the value's encoding, valid until Release
}

// Release recycles the message's buffer. The caller must not use m.Value
// afterwards.
func (m Message) Release() {
	if m.buf != nil {
		pool.Put(m.buf)
	}
}

// Next returns the next value that arrived, waiting for one if need be. It
// returns io.EOF once the peer closed its side and every value was returned,
// and the session's error if it ended first. Values that arrived before the
// session ended are still returned. After using the value, the caller
// calls Release on it and, once its program has the value, Take.
//
// Next serves streams whose values are kept as bytes; on the others it
// fails with ErrOwnInbox.
func (st *Stream) Next(ctx context.Context) (Message, error) {
	in, ok := st.in.(*byteInbox)
	if !ok {
		return Message{}, ErrOwnInbox
	}
	var (
		m      Message
		closed bool
	)
	err := st.s.Await(ctx,
		func() (bool, error) {
			m, ok, closed = in.pop()
			return ok || closed, nil
		},
		func() (err error) {
			m, ok, err = in.wait(ctx, st.s)
			return err
		})
	if err != nil {
		return Message{}, err
	}
	if !ok {
		return Message{}, io.EOF
	}
	return m, nil
}
