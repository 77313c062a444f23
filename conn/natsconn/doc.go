// Package natsconn carries netchan's connections over NATS, so that
// listeners in several processes share their clients through a NATS
// system and clients reach them through any of its servers, with
// netchan's channels, their capacity, rendezvous and close unchanged, and
// their trust end to end.
//
// # Use
//
// A listener listens on a subject rather than an address; a client dials
// that subject through a dialer:
//
//	l, err := natsconn.Listen(nc, "jobs")
//	send, recv, err := netchan.Listen[Job](ctx, "jobs", netchan.WithListener(l), netchan.WithSecret(secret))
//
//	send, recv, err := netchan.Dial[Job](ctx, "jobs", netchan.WithDialer(natsconn.Dialer(nc)), netchan.WithSecret(secret))
//
// Package typed takes the same options. Listen and Dialer work on any
// *nats.Conn, and a listener and its dialers may share one, unless it was
// made with nats.NoEcho; natsconn never closes it.
//
// # Trust
//
// netchan secures its connections inside the ones natsconn makes: with
// WithSecret or WithTLS, the NATS servers relay only ciphertext, and a
// wrong secret or certificate is refused as over TCP. A subject is no
// host name, so a dialer's tls.Config names the certificate to verify in
// ServerName. NATS's own TLS and authentication protect each hop to a
// server as usual.
//
// # Listeners share their clients
//
// Every listener on a subject joins the queue group "natsconn" on it, so
// each dial reaches one of them, wherever they run. A connection stays
// with that listener: capacity, Sync and close keep their meaning.
// A dialed connection's ResumeAddr is a subject that reaches that same
// listener alone, which netchan dials to resume a session there.
//
// # Connections
//
// A connection's bytes travel as NATS messages between two inbox subjects,
// one per end, each message within the largest payload both ends' servers
// take. Messages are numbered, so a message NATS loses shows as a gap at
// the next one and breaks the connection, never corrupting its stream.
// Each end grants the other a window of 256 KiB beyond what its program
// has read, so a fast writer cannot fill a slow reader's memory.
//
// NATS delivers a message at most once. When natsconn notices a message
// lost, when its nats.Conn loses its server, or when the peer acknowledges
// nothing for five seconds while a message waits for its answer, it
// breaks the connection and tells the peer, best effort, so both ends
// fail at once: reads and writes return an error wrapping ErrBroken and
// the cause (see BrokenError). A nats.Conn that is reconnecting keeps the
// news and sends it once connected again.
//
// The wire format is in PROTOCOL.md, beside this file.
//
// # Subscriptions and goroutines
//
// A Listener subscribes to its subject, in the queue group, and to
// <inbox>.*, where <inbox> comes from nc.NewInbox and so follows a custom
// inbox prefix; the connections it accepts live under that wildcard. The
// connections of one Dialer share one such subscription, made at the first
// dial and ended when the last of its connections closes. Each end
// publishes to the other's inbox, and a dialer to the listener's subject:
// NATS permissions must allow it. Each of these subscriptions has a
// goroutine of nats.go's and one of natsconn's that watches the nats.Conn's
// status; once every Listener and connection of natsconn on a nats.Conn is
// closed, none remains.
package natsconn
