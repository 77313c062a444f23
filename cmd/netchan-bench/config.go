package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
)

// Roles a process can play.
const (
	roleAll     = "all"
	roleServer  = "server"
	roleClients = "clients"
)

// config holds the settings of one run, as the flags gave them.
type config struct {
	Role       string        `json:"role"`
	Addr       string        `json:"addr"`
	Clients    int           `json:"clients"`
	Duration   time.Duration `json:"duration_ns"`
	Drain      time.Duration `json:"drain_ns"`
	Codec      string        `json:"codec"`
	Buffer     int           `json:"buffer"`
	Sync       bool          `json:"sync"`
	API        string        `json:"api"` // chan or typed
	Size       int           `json:"size"`
	Trust      string        `json:"trust"` // tls, secret or insecure
	CutEvery   time.Duration `json:"cut_every_ns,omitempty"`
	CutKind    string        `json:"cut_kind,omitempty"` // fin, rst or both
	Broadcast  bool          `json:"broadcast,omitempty"`
	JSON       bool          `json:"-"`
	CPUProfile string        `json:"-"`
	secret     string
	insecure   bool
	wantSecret bool
}

const usageText = `netchan-bench measures netchan round trips over loopback.

A listener sends numbered values on its channel, each of N clients echoes
back every value it receives, and the listener checks and counts the
echoes. The values are bare integers, as in the original netchan's
benchmark, or with -size N structs {Seq uint64; Payload []byte} with N
bytes of payload; server and clients processes must use the same -size.
After -duration it stops sending, drains what is in flight (giving up if
none comes back for -drain) and prints Sent, Received, Lost and the rates,
and what each end's connections did (package stats: values and bytes each
way, time sends waited for credits, the slowest latest round trip,
resumes); the clock runs from the first echo to the end of the drain.
Progress goes to stderr: values/s, values in flight (sent and not echoed
yet) and values lost so far (reported undelivered), on a terminal as one
line rewritten in place, otherwise a line each second.
It exits with status 1 if a value was lost or duplicated, or on error.

Roles:
  -role all      listener and clients in this process (the default)
  -role server   listen on -addr, print the address, measure once echoes start
  -role clients  dial -clients connections to -addr and echo until the server ends

Trust: by default TLS with a certificate made in memory, which only works
with -role all, since the clients must trust it. With separate server and
clients processes use a shared secret or plaintext:
  netchan-bench -role server -addr 127.0.0.1:7070 -secret   (prints a secret)
  netchan-bench -role clients -addr 127.0.0.1:7070 -secret-value SECRET
or -insecure on both.

Cuts: with -cut-every D the clients reach the listener through a proxy
that cuts every connection every D, from the moment all are
connected to the end of the run: with a FIN, a reset (RST), or each in turn
(-cut-kind). Each client's session redials and resumes by itself, and the
run must still lose and duplicate nothing; the summary adds how many
connections were cut, how many times the clients resumed, and the redials
a cut broke during their handshake, which are tried again and are no
errors. D must leave time for a handshake, or no resume gets through. It
needs -role all, where the listener knows that its clients are cut; the
memory figures then include the proxy's.

Broadcast: with -broadcast the listener sends every value to every client
(netchan.Broadcast) for -duration, then closes its channel; each client
checks that it received every value once, in order. The rates are values
delivered, summed over the clients. It needs -role all and bare integers.

Flags:
`

// parseFlags reads args into a config; it writes usage and errors to errOut.
func parseFlags(args []string, errOut io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("netchan-bench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprint(errOut, usageText)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.Role, "role", roleAll, "all, server or clients")
	fs.StringVar(&c.Addr, "addr", "", "address to listen on or dial (default 127.0.0.1:0 to listen)")
	fs.IntVar(&c.Clients, "clients", 8, "number of client connections (not used by -role server)")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to send, from the first echo (not used by -role clients)")
	fs.DurationVar(&c.Drain, "drain", 10*time.Second, "after sending stopped, how long to wait for values in flight while none comes back")
	fs.StringVar(&c.Codec, "codec", "cbor", "cbor, gob or json")
	fs.IntVar(&c.Buffer, "buffer", netchan.DefaultBuffer, "capacity of each direction (netchan.WithBuffer)")
	fs.BoolVar(&c.Sync, "sync", false, "rendezvous mode (netchan.Sync), capacity 0")
	fs.StringVar(&c.API, "api", apiChan, "chan: the channels of netchan.Listen and Dial; typed: typed.Conn's Send and Recv, one sender per client")
	fs.IntVar(&c.Size, "size", 0, "payload bytes per value; 0: the values are bare integers, as in the original netchan's benchmark")
	fs.BoolVar(&c.insecure, "insecure", false, "plaintext instead of TLS")
	fs.BoolVar(&c.wantSecret, "secret", false, "authenticate by a shared secret (netchan.WithSecret); the server makes one unless -secret-value is given")
	fs.StringVar(&c.secret, "secret-value", "", "the shared secret, for -role clients (implies -secret)")
	fs.DurationVar(&c.CutEvery, "cut-every", 0, "cut every client connection this often, through a proxy; the sessions resume (0: no proxy, no cuts)")
	fs.StringVar(&c.CutKind, "cut-kind", cutBoth, "with -cut-every, how to cut: fin, rst, or both, in turn")
	fs.BoolVar(&c.Broadcast, "broadcast", false, "every value to every client: count values delivered, summed over clients, instead of round trips")
	fs.BoolVar(&c.JSON, "json", false, "print the summary as one JSON object")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	bufferSet := false
	fs.Visit(func(f *flag.Flag) { bufferSet = bufferSet || f.Name == "buffer" })
	if c.Sync && bufferSet {
		return nil, errors.New("-sync and -buffer both set the capacity: give one")
	}
	if c.Sync {
		c.Buffer = 0
	}
	if err := c.resolve(); err != nil {
		return nil, err
	}
	return c, nil
}

// resolve checks the settings against each other and fills in defaults.
func (c *config) resolve() error {
	switch c.Role {
	case roleAll:
		if c.Addr == "" {
			c.Addr = "127.0.0.1:0"
		}
	case roleServer:
		if c.Addr == "" {
			c.Addr = "127.0.0.1:0"
		}
		c.Clients = 0 // not known to the server: clients of any number may come
	case roleClients:
		if c.Addr == "" {
			return errors.New("-role clients needs -addr, as printed by the server")
		}
	default:
		return fmt.Errorf("-role %q: want all, server or clients", c.Role)
	}
	if c.Clients < 1 && c.Role != roleServer {
		return fmt.Errorf("-clients %d: want at least 1", c.Clients)
	}
	if c.Duration <= 0 || c.Drain <= 0 {
		return errors.New("-duration and -drain must be positive")
	}
	if c.Size < 0 {
		return fmt.Errorf("-size %d: want at least 0", c.Size)
	}
	if _, err := pickCodec(c.Codec); err != nil {
		return err
	}
	if err := c.resolveCuts(); err != nil {
		return err
	}
	if c.Broadcast && (c.Role != roleAll || c.Size != 0 || c.CutEvery != 0 || c.API != apiChan) {
		return errors.New("-broadcast needs -role all, -api chan, bare integers (-size 0) and no -cut-every")
	}
	if c.API != apiChan && c.API != apiTyped {
		return fmt.Errorf("-api %q: want chan or typed", c.API)
	}
	return c.resolveTrust()
}

// resolveCuts checks the settings of -cut-every. It needs both ends in this
// process: a server of another process would count the handshakes the cuts
// broke as errors.
func (c *config) resolveCuts() error {
	switch {
	case c.CutEvery < 0:
		return fmt.Errorf("-cut-every %v: want a positive duration, or 0 for no cuts", c.CutEvery)
	case c.CutEvery == 0:
		c.CutKind = ""
		return nil
	case c.Role != roleAll:
		return fmt.Errorf("-cut-every needs -role all, not %s: a listener in another process would take the handshakes the cuts break for errors", c.Role)
	case c.CutKind != cutFIN && c.CutKind != cutRST && c.CutKind != cutBoth:
		return fmt.Errorf("-cut-kind %q: want fin, rst or both", c.CutKind)
	}
	return nil
}

// resolveTrust decides how connections are secured. Certificates made in
// memory cannot reach another process, hence the rule for split roles.
func (c *config) resolveTrust() error {
	c.wantSecret = c.wantSecret || c.secret != ""
	switch {
	case c.insecure && c.wantSecret:
		return errors.New("-insecure and -secret exclude each other")
	case c.insecure:
		c.Trust = "insecure"
	case c.wantSecret:
		c.Trust = "secret"
		if c.secret == "" && c.Role == roleClients {
			return errors.New("-role clients with -secret needs -secret-value, as printed by the server")
		}
		if c.secret == "" {
			c.secret = netchan.NewSecret()
		}
	case c.Role != roleAll:
		return fmt.Errorf("-role %s: the default TLS certificate lives in one process; use -secret or -insecure", c.Role)
	default:
		c.Trust = "tls"
	}
	return nil
}

// pickCodec returns the codec named by the -codec flag.
func pickCodec(name string) (codec.Codec, error) {
	switch name {
	case "cbor":
		return codec.CBOR(), nil
	case "gob":
		return codec.Gob(), nil
	case "json":
		return codec.JSON(), nil
	}
	return nil, fmt.Errorf("-codec %q: want cbor, gob or json", name)
}

// The two APIs the workload can run on.
const (
	apiChan  = "chan"
	apiTyped = "typed"
)
