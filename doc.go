// Package netchan makes Go channels work across machines.
//
// Listen and Dial return a pair of ordinary Go channels, one to send and one
// to receive values of any type the codec can encode. A value sent on one end
// is received on the other, once, in order.
//
//	send, recv, err := netchan.Dial[Job](ctx, "worker:7000", netchan.WithSecret(secret))
//	send <- Job{ID: 1}
//	res := <-recv
//
// # Semantics
//
// WithBuffer(n) means what make(chan T, n) means, measured across the
// network: n values may be sent and not yet received by the remote program;
// the next send blocks until the remote program receives one. The receiver
// grants the sender credits as its program takes values, so nothing queues
// without bound and nothing is dropped. Sync() is capacity 0: with package
// typed, Send returns only after the remote program received the value; on
// the channel API, at most one value is in flight.
//
// close(send) closes the peer's receive channel after every value sent
// before it was received. A listener serves any number of clients: each
// value sent on it goes to exactly one client with free capacity, and values
// from all clients merge into its receive channel. With Broadcast, each
// value goes to every client connected instead, the slowest setting the
// pace up to a stall timeout (WithStallTimeout).
//
// # Channels in values
//
// A value may hold channels: in exported struct fields, behind pointers, in
// slices, arrays and map values, or be one. The codec never sees them:
// netchan replaces each with the id of a stream of the same connection, and
// the receiving end gets a channel of its own bound to that stream. So a
// request carries its reply channel, with every codec:
//
//	type Request struct {
//		Word  string
//		Reply chan<- string
//	}
//
// Which way values go is read from the field's type, as the receiving
// program sees it:
//
//   - chan<- U is a reply channel: the receiver sends on its field, and the
//     values arrive in the channel the sender put in the value. Closing the
//     field closes that channel, after the values sent before. A
//     bidirectional chan U field is a reply channel too.
//   - <-chan U is a stream: the sender's program goes on sending on the
//     channel it put in the value, and the values arrive on the receiver's
//     field; closing the original closes the field after them.
//
// Capacity is the capacity of the channel the sender put in, plus one: a
// value waiting in its buffer is not received yet, and netchan holds one
// value in hand between the network and the channel, as the channel API's
// pumps do. With an unbuffered channel, one value is in flight, as with
// Sync() on the channel API; with capacity n, n+1 sends on the far end
// complete while the program receives nothing. The channel netchan makes
// at the receiving end is unbuffered.
//
// Once sent, a channel belongs to netchan until its stream ends: a program
// must not close the original of a reply channel nor send on it, and
// sending a channel netchan carries already, in the same value or another,
// fails with ErrChanInUse. A reply channel's original is closed when the
// peer closes its field, or when the connection ends, so that no program
// waits for ever on a reply that cannot come; a stream's field is closed
// when the connection ends too. A program sending on the original of a
// stream, or on a reply field, after its connection ended does not wait:
// each value is reported as an UndeliveredError, with the connection's
// error, until the program closes the channel or the context given to
// Listen or Dial ends, or, with package typed, the program closes the
// Listener or Conn that made the connection; from then on such a send
// waits, as on any channel no one receives from.
//
// Values sent on a channel netchan carried that the peer's program had not
// received when the connection ended, however it ended, are reported as
// UndeliveredError values at the end that sent them, with those still in
// the buffer of a stream's original. Ending a connection, by Close or by
// the end of the channel API's context, does not wait for them: a value
// sent, or a channel closed, just before may not have left, and a value
// that arrived waits for no program once its connection ended. So end a
// connection once the channels it carried are done: a program awaiting
// replies has them all when the reply channel's original is closed.
//
// Each channel costs a stream, and its far end a goroutine, until the
// channel is closed or the connection ends: close reply channels when done.
// A reply channel may have more capacity than either end's WithBuffer:
// up to 4096, or the peer's WithBuffer if that is more. A value whose
// channels would open more streams than the peer allows at once
// (WithMaxStreams), hold a reply channel of more capacity than that, or
// nest deeper than eight values, is refused whole with ErrLimit. Such a
// refusal, and ErrChanInUse, concern the value alone: the connection goes
// on, whatever the codec. A value holding channels that a client of a
// listener had not taken when it left is reported as undelivered, not
// handed to another client: its channels were bound to the session that
// ended. A type that cannot hold a channel pays nothing for this: its
// values go to the codec as they are.
//
// # Trust
//
// Connections are secured by TLS 1.3 with verified certificates (WithTLS),
// or by a shared secret proven over TLS (WithSecret), or, only when asked by
// name, not at all (Insecure). With none of these, Listen and Dial fail with
// ErrNoTrust.
//
// # Errors
//
// What can be returned is returned: by Listen and Dial here, by every call in
// package typed. What cannot, such as a peer that vanished, is logged at
// warning level to slog.Default(), and the receive channel closes: no error
// goes unseen by default. WithLogger sets another logger; OnError sets a
// function that takes these errors in place of the default log.
//
// # Panics
//
// No input from the network makes netchan panic: every decoder is fuzzed. A
// malformed frame ends the connection with an error; a value the codec
// cannot decode into T is an error wrapping ErrDecode, returned by typed's
// Recv or reported as the Errors section says, and the values after it go
// on. A value beyond the codec's limits (codec.ErrLimitExceeded), or one
// naming streams its peer may not, is hostile rather than mistaken, and ends
// the connection with ErrLimit or ErrProtocol. netchan does not recover
// panics raised by code it calls on your behalf, a codec's Marshal or
// Unmarshal or the OnError function, rather than turn them into errors that
// would hide a bug: in typed's Send and Recv such a panic reaches the
// caller, and in the goroutines behind the channel API it ends the program,
// as a panic in any goroutine does. Values are decoded as they arrive, in
// the connection's own goroutine; a panic there is kept with its stack and
// raised again in the Recv that would have returned the value.
//
// # Stats
//
// OnConnect hands the program each connection as a *Conn, whose Stats say
// what it did: values and bytes each way, values in flight, the time sends
// waited for credits, the latest round trip, resumes. A stats.Set gathers
// many and publishes them with expvar.
//
// # Packages
//
// Package typed offers the same connections as methods with contexts and
// errors per value; package codec holds the codecs and the interface to plug
// in another; stats the connections' counters; conn is the transport and
// sync the flow control.
package netchan
