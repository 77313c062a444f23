// Package conn is netchan's transport: it dials and accepts connections,
// secures them, runs the handshake, and moves frames of bytes between the
// two ends of a session. It knows nothing of Go values; the layer above puts
// a codec on top.
//
// A [Session] carries streams, each a channel pair with a credit window in
// each direction (see package github.com/netchan/netchan/sync), over one
// network connection at a time. When the connection breaks, the session
// outlives it for the resume window: the dialer dials again and resumes,
// and each end sends again what the other had not received, so the streams
// lose and repeat nothing. PROTOCOL.md at the module's root specifies the
// bytes.
//
// A session owns two goroutines: one that runs it and writes frames, in
// batches, and one that reads the connection of the moment. On a
// rendezvous session (capacity 0) the goroutines of the program do the
// work themselves where they can: one that queued a frame with no write
// under way writes it, and one that waits for a frame reads it, as
// [Session.Await] describes.
package conn
