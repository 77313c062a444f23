package testkit

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// childEnv marks a test binary started by StartMain to be the program
// under test rather than to run tests.
const childEnv = "NETCHAN_TESTKIT_RUN_MAIN"

// RunMainIfChild runs main and exits if StartMain started this process;
// otherwise it returns at once. Call it first in TestMain of a package main.
func RunMainIfChild(main func()) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
}

// StartMain starts the test binary as a process of its own that runs the
// package's main with args, as the built program would: see RunMainIfChild.
func StartMain(tb testing.TB, env []string, args ...string) *Process {
	tb.Helper()
	// A binary built with -race otherwise waits a second before it exits.
	race := "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
	return Start(tb, append([]string{childEnv + "=1", race}, env...), os.Args[0], args...)
}

// Process is a program a test started. Its output is read line by line;
// the test's end kills it if it still runs, and waits for it.
type Process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr lockedBuffer

	mu    sync.Mutex
	lines []string      // stdout so far
	read  int           // lines Line returned
	more  chan struct{} // capacity 1: a line came, or stdout ended
	eof   bool

	exited chan struct{}
	err    error // how it exited; set before exited closes
}

// Start starts the program name with args, in an environment of the test's
// own with env added.
func Start(tb testing.TB, env []string, name string, args ...string) *Process {
	tb.Helper()
	p := &Process{cmd: exec.Command(name, args...), more: make(chan struct{}, 1), exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go p.collect(bufio.NewScanner(out))
	tb.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
		if tb.Failed() {
			tb.Logf("%s's stderr:\n%s", name, p.stderr.String())
		}
	})
	return p
}

// collect keeps stdout's lines, then waits for the program to exit: a
// command's Wait must follow the last read from its pipe.
func (p *Process) collect(sc *bufio.Scanner) {
	for sc.Scan() {
		p.mu.Lock()
		p.lines = append(p.lines, sc.Text())
		p.mu.Unlock()
		p.notify()
	}
	p.mu.Lock()
	p.eof = true
	p.mu.Unlock()
	p.notify()
	p.err = p.cmd.Wait()
	close(p.exited)
}

func (p *Process) notify() {
	select {
	case p.more <- struct{}{}:
	default:
	}
}

// Line returns the next line of stdout. It fails the test if none comes
// within Patience or stdout ends first.
func (p *Process) Line(tb testing.TB) string {
	tb.Helper()
	deadline := time.NewTimer(Patience)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		if p.read < len(p.lines) {
			line := p.lines[p.read]
			p.read++
			p.mu.Unlock()
			return line
		}
		eof := p.eof
		p.mu.Unlock()
		if eof {
			tb.Fatalf("%s ended its output; want another line", p.cmd.Path)
		}
		select {
		case <-p.more:
		case <-deadline.C:
			tb.Fatalf("no line from %s within %v", p.cmd.Path, Patience)
		}
	}
}

// Match reads lines until one matches re and returns its submatches.
func (p *Process) Match(tb testing.TB, re *regexp.Regexp) []string {
	tb.Helper()
	for {
		if m := re.FindStringSubmatch(p.Line(tb)); m != nil {
			return m
		}
	}
}

// Wait waits for the program to exit, at most Patience, and returns the
// lines of stdout Line has not returned, and how it exited.
func (p *Process) Wait(tb testing.TB) ([]string, error) {
	tb.Helper()
	select {
	case <-p.exited:
	case <-time.After(Patience):
		tb.Fatalf("%s still runs after %v", p.cmd.Path, Patience)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	rest := p.lines[p.read:]
	p.read = len(p.lines)
	return rest, p.err
}

// Interrupt sends the program os.Interrupt, as Ctrl-C in a terminal does.
func (p *Process) Interrupt(tb testing.TB) {
	tb.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		tb.Fatal(err)
	}
}

// Type writes line and a newline to the program's stdin.
func (p *Process) Type(tb testing.TB, line string) {
	tb.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		tb.Fatal(err)
	}
}

// EndInput closes the program's stdin, as Ctrl-D in a terminal does.
func (p *Process) EndInput(tb testing.TB) {
	tb.Helper()
	if err := p.stdin.Close(); err != nil {
		tb.Fatal(err)
	}
}

// Pid returns the program's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stderr returns what the program wrote to stderr so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// Build builds the main packages pkgs (import paths or ./ paths, relative
// to the test's directory) into a new directory, and returns it: each
// program is there under its package's last path element.
func Build(tb testing.TB, pkgs ...string) string {
	tb.Helper()
	dir := tb.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*Patience)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", dir + string(os.PathSeparator)}, pkgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %v: %v\n%s", pkgs, err, out)
	}
	return dir
}

// lockedBuffer is a bytes.Buffer that a process writes while a test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
