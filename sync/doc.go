// Package sync holds netchan's flow control: the credit window of a stream's
// sending side ([Sender]) and the bookkeeping of its receiving side
// ([Receiver]). They do no I/O, so they can be tested and fuzzed alone; the
// conn package feeds them frames and sends what they ask for.
//
// # The model
//
// A stream has a capacity n, agreed in the handshake. A value is outstanding
// from the moment it is sent until the receiving program has taken it. The
// sender may have at most n values outstanding, which is what make(chan T, n)
// promises: n sends complete while nobody receives, the next one waits. Each
// time the receiving program takes a value, its side grants one credit back,
// and the sender may send one more.
//
// Capacity 0 is a rendezvous. The window is then one value, and a sender that
// wants the rendezvous waits with [Sender.WaitTaken] until the credit for its
// own value came back, which is the receiver's acknowledgement that the
// program took it.
//
// The package name shadows the standard library's sync inside this module's
// importers, which import it as nsync.
package sync
