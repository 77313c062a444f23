package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/netchan/netchan"
)

// The two modes, named by the first argument.
const (
	modeListen = "listen"
	modeDial   = "dial"
)

// config holds the settings of one run, as the arguments gave them.
type config struct {
	mode   string
	addr   string
	codec  string
	buffer int
	sync   bool
	keep   bool // listen: go on after the last client left
	resume time.Duration
	trust  trustFlags
}

// newFlagSet returns the flags of both modes, set to fill c.
func newFlagSet(c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("netchan", flag.ContinueOnError)
	// Errors are returned and printed once, by exitCode; usage is printed
	// on -h only, rather than after every mistake.
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.codec, "codec", "cbor", "`cbor` or json; both ends must use the same")
	fs.IntVar(&c.buffer, "buffer", netchan.DefaultBuffer, "capacity of each direction, as in make(chan T, `n`) (netchan.WithBuffer)")
	fs.BoolVar(&c.sync, "sync", false, "rendezvous mode, capacity 0 (netchan.Sync): at most one value in flight")
	fs.DurationVar(&c.resume, "resume", netchan.DefaultResumeWindow, "how long a session outlives a broken connection, waiting to resume (netchan.WithResumeWindow); 0: a break ends it")
	fs.BoolVar(&c.keep, "keep", false, "listen: serve on after the last client left, until interrupted")
	c.trust.register(fs)
	return fs
}

// parseArgs reads the mode, the address and the flags, which may come
// before or after the address.
func parseArgs(args []string, getenv func(string) string) (*config, error) {
	c := &config{}
	fs := newFlagSet(c)
	if len(args) == 0 {
		return nil, errors.New("no mode: want listen or dial")
	}
	switch args[0] {
	case modeListen, modeDial:
		c.mode = args[0]
	case "-h", "-help", "--help", "help":
		return nil, flag.ErrHelp
	default:
		return nil, fmt.Errorf("%q: want listen or dial", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return nil, err
	}
	if fs.NArg() == 0 {
		return nil, fmt.Errorf("%s needs an address, host:port", c.mode)
	}
	c.addr = fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q after the address", fs.Args())
	}
	if err := c.resolve(fs, getenv); err != nil {
		return nil, err
	}
	return c, nil
}

// resolve checks the settings against each other and fills in what
// follows from them.
func (c *config) resolve(fs *flag.FlagSet, getenv func(string) string) error {
	bufferSet := false
	fs.Visit(func(f *flag.Flag) { bufferSet = bufferSet || f.Name == "buffer" })
	if c.sync && bufferSet {
		return errors.New("-sync and -buffer both set the capacity: give one")
	}
	if c.sync {
		c.buffer = 0
	}
	if c.resume < 0 || c.resume > netchan.MaxResumeWindow {
		return fmt.Errorf("-resume %v: want 0 to %v", c.resume, netchan.MaxResumeWindow)
	}
	if c.buffer < 0 || c.buffer > netchan.MaxBuffer {
		return fmt.Errorf("-buffer %d: want 0 to %d", c.buffer, netchan.MaxBuffer)
	}
	if c.codec != "cbor" && c.codec != "json" {
		return fmt.Errorf("-codec %q: want cbor or json (gob cannot carry values of type any)", c.codec)
	}
	if c.keep && c.mode != modeListen {
		return errors.New("-keep is for netchan listen")
	}
	return c.trust.resolve(c.mode, getenv)
}
