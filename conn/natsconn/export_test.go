package natsconn

import (
	"net"
	"time"
)

// ShortenProbe makes the hubs made from now on ping after every and give
// up after within; the returned function restores the defaults.
func ShortenProbe(every, within time.Duration) (restore func()) {
	e, w := probeEvery, answerWithin
	probeEvery, answerWithin = every, within
	return func() { probeEvery, answerWithin = e, w }
}

// Inbox returns the subject c's peer publishes to.
func Inbox(c net.Conn) string { return c.(*Conn).inbox }

// DataMessage returns the data message number seq carrying b, as a peer
// sends it.
func DataMessage(seq uint64, b []byte) []byte {
	return append(appendHeader(nil, header{kind: kindData, seq: seq}), b...)
}

// Received returns how many messages c has received.
func Received(c net.Conn) uint64 {
	cc := c.(*Conn)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.recvSeq
}

// AnswerWithin is how long a connection waits for a silent peer's answer.
var AnswerWithin = answerWithin

// Window is the receive window of every connection.
const Window = recvWindow
