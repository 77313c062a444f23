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
// A rendezvous connection (capacity 0) has nothing to batch, since each
// value waits for its acknowledgement. There the goroutines of the program
// do the work themselves where they can: a small frame is written by the
// goroutine that queued it when no other write is under way, and a
// goroutine waiting for a frame reads it itself when no other goroutine
// reads, as [Conn.Await] describes. The reader goroutine steps aside for
// them and takes over again when nobody reads.
//
// A connection carries streams; today each carries one, the values of one
// netchan channel pair in both directions. Flow control is per stream, by
// credits (see package github.com/netchan/netchan/sync).
package conn
