package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/netchan/netchan/internal/testkit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// cmd is one run of the command's main logic in a goroutine, with its
// stdout and stderr kept for the test to read and wait on.
type cmd struct {
	stdout, stderr *watcher
	done           chan error
}

// start runs the command with args, stdin and the environment env (name
// to value) until it returns; the test waits for it with wait.
func start(ctx context.Context, args []string, stdin io.Reader, env map[string]string) *cmd {
	c := &cmd{stdout: newWatcher(), stderr: newWatcher(), done: make(chan error, 1)}
	getenv := func(name string) string { return env[name] }
	go func() {
		c.done <- run(ctx, args, stdio{stdin: stdin, stdout: c.stdout, stderr: c.stderr, getenv: getenv})
	}()
	return c
}

// wait returns what run returned, failing the test if it runs on past
// testkit.Patience.
func (c *cmd) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-c.done:
		return err
	case <-time.After(testkit.Patience):
		t.Fatalf("netchan still running after %v; stderr:\n%s", testkit.Patience, c.stderr)
		return nil
	}
}

// mustSucceed waits for the command and fails the test unless it succeeded.
func (c *cmd) mustSucceed(t *testing.T) {
	t.Helper()
	if err := c.wait(t); err != nil {
		t.Fatalf("netchan: %v (exit %d); stderr:\n%s", err, exitCode(err, io.Discard), c.stderr)
	}
}

// lines returns the lines written to w.
func lines(w *watcher) []string {
	s := strings.TrimSuffix(w.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// watcher is a writer whose text a test can read while it is written,
// and wait on.
type watcher struct {
	mu      sync.Mutex
	text    bytes.Buffer
	changed chan struct{}
}

func newWatcher() *watcher { return &watcher{changed: make(chan struct{}, 1)} }

func (w *watcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.text.Write(p)
	select {
	case w.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (w *watcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.text.String()
}

// await waits until re matches what was written and returns the match.
func (w *watcher) await(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(testkit.Patience)
	for {
		if m := re.FindStringSubmatch(w.String()); m != nil {
			return m
		}
		select {
		case <-w.changed:
		case <-deadline:
			t.Fatalf("%v never written; got:\n%s", re, w.String())
		}
	}
}
