package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildPatience bounds the go build of TestBinary, on a loaded machine.
const buildPatience = 3 * time.Minute

// TestBinary builds the command and runs it as a shell script would: a
// listener and a dialer in two processes, their exit statuses, and the
// signals that end a listener that serves on.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildPatience)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "netchan")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// command runs bin with args, stdin and extra environment; its output
	// goes to watchers the test can wait on.
	command := func(stdin string, env []string, args ...string) (*exec.Cmd, *watcher, *watcher) {
		c := exec.CommandContext(ctx, bin, args...)
		c.Stdin = strings.NewReader(stdin)
		c.Env = append(os.Environ(), env...)
		stdout, stderr := newWatcher(), newWatcher()
		c.Stdout, c.Stderr = stdout, stderr
		c.WaitDelay = time.Second
		return c, stdout, stderr
	}
	status := func(err error) int {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}

	t.Run("help", func(t *testing.T) {
		c, _, stderr := command("", nil, "-h")
		if err := c.Run(); status(err) != 0 || !strings.Contains(stderr.String(), "Usage:") {
			t.Fatalf("-h: %v\n%s", err, stderr)
		}
		c, _, stderr = command("", nil, "dial", "127.0.0.1:1")
		if err := c.Run(); status(err) != 2 || !strings.Contains(stderr.String(), "choose how to secure") {
			t.Fatalf("no trust: %v\n%s", err, stderr)
		}
	})

	t.Run("listen and dial", func(t *testing.T) {
		listen, listenOut, listenErr := command(`"hello"`+"\n", nil, "listen", "-secret", "new", "127.0.0.1:0")
		if err := listen.Start(); err != nil {
			t.Fatal(err)
		}
		m := listenErr.await(t, regexp.MustCompile(`dial it with: NETCHAN_SECRET=(\S+) netchan dial (\S+)`))
		dial, dialOut, dialErr := command(`{"a":[1,2.5]}`+"\n", []string{secretEnv + "=" + m[1]}, "dial", m[2])
		if err := dial.Run(); err != nil {
			t.Fatalf("dial: %v\n%s", err, dialErr)
		}
		if err := listen.Wait(); err != nil {
			t.Fatalf("listen: %v\n%s", err, listenErr)
		}
		if got := dialOut.String(); got != `"hello"`+"\n" {
			t.Fatalf("dial printed %q", got)
		}
		if got := listenOut.String(); got != `{"a":[1,2.5]}`+"\n" {
			t.Fatalf("listen printed %q", got)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		listen, _, listenErr := command("", nil, "listen", "-secret", "new", "-keep", "127.0.0.1:0")
		if err := listen.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = listen.Process.Kill(); _ = listen.Wait() }()
		addr := listenErr.await(t, listening)[1]
		dial, _, dialErr := command("1\n", []string{secretEnv + "=" + strings.Repeat("x", 32)}, "dial", addr)
		if err := dial.Run(); status(err) != 1 || !strings.Contains(dialErr.String(), "authentication failed") {
			t.Fatalf("dial with a wrong secret: %v\n%s", err, dialErr)
		}
	})

	for _, sig := range []struct {
		s    os.Signal
		want int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}} {
		t.Run(sig.s.String(), func(t *testing.T) {
			listen, _, listenErr := command("", nil, "listen", "-insecure", "-keep", "127.0.0.1:0")
			if err := listen.Start(); err != nil {
				t.Fatal(err)
			}
			listenErr.await(t, listening)
			if err := listen.Process.Signal(sig.s); err != nil {
				t.Fatal(err)
			}
			if got := status(listen.Wait()); got != sig.want {
				t.Fatalf("exit %d after %v, want %d\n%s", got, sig.s, sig.want, listenErr)
			}
		})
	}
}
