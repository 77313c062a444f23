package main

import (
	"fmt"
	"io"
)

const usageText = `netchan is netcat for netchan: it sends the JSON values it reads from
stdin, one per line, over a netchan connection, and prints the values it
receives to stdout, one JSON value per line. Its peer is a Go program that
uses netchan's Listen or Dial, or package typed, with the same codec, or
another netchan command.

Usage:
  netchan listen [flags] ADDR   serve any number of clients on ADDR (host:port)
  netchan dial [flags] ADDR     connect to the listener at ADDR

Examples:
  netchan listen -secret new 127.0.0.1:7000
      listen with a fresh shared secret; it prints the command that dials it
  NETCHAN_SECRET=... netchan dial 127.0.0.1:7000 < requests.jsonl
      send each line of requests.jsonl and print what comes back
  echo '{"ID":7,"Name":"x"}' | netchan dial -insecure -sync 127.0.0.1:7000
      plaintext, one value at a time
  netchan listen -tls-cert srv.pem -tls-key srv.key -tls-ca ca.pem :7000
  netchan dial -tls-cert cli.pem -tls-key cli.key -tls-ca ca.pem host:7000
      mutual TLS: each end verifies the other's certificate against ca.pem

Trust: choose a shared secret (-secret, or $NETCHAN_SECRET: a secret
given as an argument can be read by anyone on the machine with ps), TLS
(-tls-cert and -tls-key on the listener; -tls-ca on the dialer unless the
system's roots trust the listener), both, or -insecure for plaintext.

Values: each line of stdin is one JSON value. Blank lines are skipped; a
line that is not JSON is reported and skipped. With -codec cbor, the
default, a line is sent as a value of type any, and a Go peer receives:
  {"ID":7}     a map with string keys, which decodes into a struct
               (fields matched by name) or a map[string]T
  [7,"x"]      a slice
  "x"          a string
  7, -7        an integer, into any integer or float type; into an any, a
               uint64 or an int64, and beyond 64 bits a big.Int
  7.0, 7e0     a float64
  true, null   a bool; nil
What arrives prints as JSON, with object keys sorted. Floats keep a
fraction (7.0), so that they read back as floats; NaN and the infinities
print as "NaN", "+Inf" and "-Inf". Map keys that are not strings print as
text (7 as "7"), byte strings as base64, times as RFC 3339 strings, other
CBOR tags as {"content":V,"tag":N}, and bytes of a string that are not
UTF-8 as U+FFFD. With -codec json, a line travels as it is, compacted, and
prints as it came.

Many clients: a listener prints the values of all its clients as they
arrive, and sends each line of stdin to one client with room for it, as a
value sent on a Go channel goes to one receiver: lines are not copied to
every client. Until a client comes, reading stdin waits. It prints its
address on stderr.

Ending: the end of stdin closes the send side, and the peer gets
everything sent before. dial exits once the listener closed its side too
and the last values are through; listen exits once stdin has ended, a
client has come, and no client is left (with -keep, only on interrupt).
An interrupt or SIGTERM stops reading stdin, and netchan exits once what
it had read is flushed to the peer.

Exit status: 0 on success; 1 if anything failed, with each error on stderr
(a connection refused or lost, a value not delivered, a line that is not
JSON); 2 for bad arguments; 130 after an interrupt, 143 after SIGTERM.

Flags:
`

// printUsage writes the help text, with every flag and its default.
func printUsage(w io.Writer) {
	fs := newFlagSet(&config{})
	fs.SetOutput(w)
	fmt.Fprint(w, usageText)
	fs.PrintDefaults()
}
