// Package conn is netchan's transport: it dials and accepts connections,
// secures them, runs the handshake, and moves frames of bytes between the two
// ends. It knows nothing of Go values; package typed puts a codec on top.
//
// A [Conn] owns two goroutines, one that reads frames and one that writes
// them. Writes are batched: senders append frames to a queue and the writer
// hands the whole queue to the network whenever it wakes, so a busy
// connection makes one write for many values, and an idle one flushes each
// value at once.
//
// A connection carries streams; today each carries one, the values of one
// netchan channel pair in both directions. Flow control is per stream, by
// credits (see package github.com/netchan/netchan/sync).
package conn
