package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/netchan/netchan/internal/testkit"
)

func TestMain(m *testing.M) {
	// The pauses that let memory settle for the benchmark's figures would
	// be most of each run's time, and no test reads those figures. The
	// server's pause stays well above the clients' quiet spell, which it
	// exists to give them.
	idleBeforeMemory, quietAfterTraffic, idlePause = 10*time.Millisecond, 50*time.Millisecond, 500*time.Millisecond
	goleak.VerifyTestMain(m)
}

// TestRunLosesNothing runs the whole benchmark in this process, briefly,
// over each kind of trust, with integers and with values that carry a
// payload, and checks every value came back once.
func TestRunLosesNothing(t *testing.T) {
	for _, trust := range [][]string{{"-insecure"}, {}, {"-secret"}, {"-size", "16"}, {"-api", "typed"}, {"-api", "typed", "-sync", "-insecure", "-size", "16"}} {
		t.Run(fmt.Sprint("trust", trust), func(t *testing.T) {
			args := append([]string{"-duration", "300ms", "-clients", "3", "-json"}, trust...)
			sum := runOK(t, context.Background(), args)
			if sum.Received == 0 || sum.Echoed == 0 {
				t.Fatalf("nothing came back: %+v", sum)
			}
			if sum.Lost != 0 || sum.Received != sum.Sent || sum.Echoed != sum.Sent {
				t.Fatalf("sent %d, echoed %d, received %d, lost %d", sum.Sent, sum.Echoed, sum.Received, sum.Lost)
			}
		})
	}
}

// TestRunSync covers the rendezvous mode and another codec.
func TestRunSync(t *testing.T) {
	sum := runOK(t, context.Background(), []string{"-duration", "300ms", "-clients", "2", "-insecure", "-sync", "-codec", "gob", "-size", "16"})
	if sum.Received == 0 || sum.Lost != 0 || sum.Settings.Buffer != 0 {
		t.Fatalf("received %d, lost %d, buffer %d", sum.Received, sum.Lost, sum.Settings.Buffer)
	}
}

// TestSplitRoles runs a server and a clients process's work side by side.
func TestSplitRoles(t *testing.T) {
	w := newWatcher()
	serverDone := make(chan *summary, 1)
	go func() {
		sum, err := run(context.Background(), []string{"-role", "server", "-duration", "300ms", "-secret"}, &bytes.Buffer{}, w)
		if err != nil {
			t.Error(err)
		}
		serverDone <- sum
	}()
	m := w.await(t, regexp.MustCompile(`-addr (\S+) -secret-value (\S+)`))
	clients := runOK(t, context.Background(), []string{"-role", "clients", "-clients", "2", "-addr", m[1], "-secret-value", m[2]})
	server, _ := testkit.Recv(t, serverDone)
	if server == nil {
		t.Fatal("server failed")
	}
	if err := server.failure(); err != nil || server.Received == 0 {
		t.Fatalf("server: %v, received %d", err, server.Received)
	}
	if clients.Echoed != server.Sent {
		t.Fatalf("clients echoed %d, server sent %d", clients.Echoed, server.Sent)
	}
}

// TestInterruptDrains checks that a signal ends the run early and the values
// in flight are still counted.
func TestInterruptDrains(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := newWatcher()
	done := make(chan *summary, 1)
	go func() {
		sum, err := run(ctx, []string{"-duration", "1h", "-clients", "2", "-insecure"}, &bytes.Buffer{}, w)
		if err != nil {
			t.Error(err)
		}
		done <- sum
	}()
	w.await(t, regexp.MustCompile(`received +[1-9]`))
	cancel()
	sum, _ := testkit.Recv(t, done)
	if sum == nil || !sum.Interrupted || sum.Lost != 0 || sum.Received == 0 {
		t.Fatalf("after interrupt: %+v", sum)
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-role", "server"},                                     // in-memory TLS cannot reach clients
		{"-role", "clients", "-insecure"},                       // no -addr
		{"-role", "clients", "-addr", "127.0.0.1:1", "-secret"}, // no secret value
		{"-sync", "-buffer", "4"},
		{"-insecure", "-secret"},
		{"-codec", "xml"},
		{"-api", "grpc"},
	} {
		_, err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
		if code := exitCode(nil, err, &bytes.Buffer{}); code != 2 {
			t.Errorf("%q: exit %d (%v), want 2", args, code, err)
		}
	}
}

func TestExitCodeOnLoss(t *testing.T) {
	ok := &summary{Sent: 5, Received: 5}
	lost := &summary{Sent: 5, Received: 4, Lost: 1}
	dup := &summary{Sent: 5, Received: 5, Duplicates: 1}
	for _, c := range []struct {
		s    *summary
		want int
	}{{ok, 0}, {lost, 1}, {dup, 1}} {
		if got := exitCode(c.s, nil, &bytes.Buffer{}); got != c.want {
			t.Errorf("%+v: exit %d, want %d", c.s, got, c.want)
		}
	}
}

// Each shape reads back the sequence number it made, and a value's
// payload is intact only if it is the one sent.
func TestShapes(t *testing.T) {
	if seq, intact := (shape[uint64]{}).read((shape[uint64]{}).make(7)); seq != 7 || !intact {
		t.Fatalf("integers: read %d, %v; want 7, true", seq, intact)
	}
	s := shape[value]{payload: []byte{1, 2, 3}}
	v := s.make(9)
	if seq, intact := s.read(v); seq != 9 || !intact {
		t.Fatalf("values: read %d, %v; want 9, true", seq, intact)
	}
	v.Payload = []byte{1, 2, 4}
	if _, intact := s.read(v); intact {
		t.Fatal("a value with an altered payload read as intact")
	}
}

// runOK runs the benchmark and fails the test if it failed.
func runOK(t *testing.T, ctx context.Context, args []string) *summary {
	t.Helper()
	var out, progress bytes.Buffer
	sum, err := run(ctx, args, &out, &progress)
	if err != nil {
		t.Fatalf("run %q: %v\n%s", args, err, progress.String())
	}
	if err := sum.failure(); err != nil {
		t.Fatalf("run %q: %v\n%s%s", args, err, progress.String(), out.String())
	}
	return sum
}

// watcher is a writer whose text a test can wait on.
type watcher struct {
	mu      sync.Mutex
	text    strings.Builder
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

// await waits until re matches what was written and returns the match.
func (w *watcher) await(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(testkit.Patience)
	for {
		w.mu.Lock()
		m := re.FindStringSubmatch(w.text.String())
		w.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-w.changed:
		case <-deadline:
			t.Fatalf("%v never written", re)
		}
	}
}

// TestRunBroadcast runs the broadcast workload briefly: every client
// received every value sent, in order.
func TestRunBroadcast(t *testing.T) {
	for _, extra := range [][]string{{}, {"-insecure", "-sync", "-codec", "gob"}} {
		t.Run(fmt.Sprint(extra), func(t *testing.T) {
			sum := runOK(t, context.Background(), append([]string{"-broadcast", "-duration", "300ms", "-clients", "3"}, extra...))
			if sum.Sent == 0 || sum.Received != 3*sum.Sent || sum.Lost != 0 || sum.Invalid != 0 {
				t.Fatalf("sent %d, delivered %d, lost %d, out of order %d", sum.Sent, sum.Received, sum.Lost, sum.Invalid)
			}
		})
	}
	if _, err := run(context.Background(), []string{"-broadcast", "-size", "16"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("-broadcast with -size was accepted")
	}
}
