package main

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// goListener starts a Go program's listener of T with the library: serve
// runs with its channels, and returns when it is done. The test's cleanup
// ends the listener and waits for it.
func goListener[T any](t *testing.T, serve func(ctx context.Context, send chan<- T, recv <-chan T), opts ...netchan.Option) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ln := testkit.Loopback(t)
	send, recv, err := netchan.Listen[T](ctx, "", append(opts, netchan.WithListener(ln))...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { serve(ctx, send, recv) })
	t.Cleanup(func() {
		cancel()
		for range recv { // closed once every connection stopped
		}
		wg.Wait()
	})
	return ln.Addr().String()
}

// echo returns a serve function that sends back the first n values it
// receives and then closes its side.
func echo[T any](n int) func(ctx context.Context, send chan<- T, recv <-chan T) {
	return func(ctx context.Context, send chan<- T, recv <-chan T) {
		for range n {
			v, ok := <-recv
			if !ok {
				return
			}
			select {
			case send <- v:
			case <-ctx.Done():
				return
			}
		}
		close(send)
	}
}

// echoed are lines of stdin and the lines that print once a Go program
// has received them as values of `any` over CBOR and sent them back.
var echoed = []struct{ in, out string }{
	{`{"name":"ada","tags":["x","y"],"n":1}`, `{"n":1,"name":"ada","tags":["x","y"]}`},
	{`[1, -2, 2.5, 1e3, 0.0, -0.0]`, `[1,-2,2.5,1000.0,0.0,-0.0]`},
	{`[18446744073709551615,-9223372036854775808,123456789012345678901234567890,-123456789012345678901234567890]`,
		`[18446744073709551615,-9223372036854775808,123456789012345678901234567890,-123456789012345678901234567890]`},
	{`"text with <html> & \u00e9"`, `"text with <html> & é"`},
	{`null`, `null`},
	{`  true  `, `true`},
	{`{}`, `{}`},
	{`[[],{"":null}]`, `[[],{"":null}]`},
}

// TestDialEcho runs netchan dial against a Go program that echoes, over
// every kind of trust, and checks what prints is what was sent.
func TestDialEcho(t *testing.T) {
	var in, want []string
	for _, e := range echoed {
		in, want = append(in, e.in), append(want, e.out)
	}
	cases := trustCases(t)
	cases = append(cases,
		trustCase{name: "sync", dialArgs: []string{"-insecure", "-sync"}, server: netchan.Insecure()},
		trustCase{name: "buffer 1", dialArgs: []string{"-insecure", "-buffer", "1"}, server: netchan.Insecure()})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := goListener(t, echo[any](len(in)), tc.server)
			c := start(context.Background(), append(append([]string{"dial"}, tc.dialArgs...), addr), strings.NewReader(strings.Join(in, "\n")+"\n"), tc.env)
			c.mustSucceed(t)
			if got := lines(c.stdout); !slices.Equal(got, want) {
				t.Fatalf("printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// job is a Go program's own type, to which a JSON line must decode.
type job struct {
	ID     int
	Name   string
	Tags   []string
	Weight float64
	Big    uint64
}

// TestDialTypedPeer checks what the usage text says a JSON line becomes
// for a Go program whose channel carries a struct: an object's fields by
// name, integers into int and float64 fields alike.
func TestDialTypedPeer(t *testing.T) {
	got := make(chan job, 1)
	addr := goListener(t, func(ctx context.Context, send chan<- job, recv <-chan job) {
		j := <-recv
		got <- j
		j.ID++
		send <- j
		close(send)
	}, netchan.Insecure())
	c := start(context.Background(), []string{"dial", "-insecure", addr},
		strings.NewReader(`{"ID":7,"Name":"x","Tags":["a","b"],"Weight":2,"Big":18446744073709551615}`), nil)
	c.mustSucceed(t)
	want := job{ID: 7, Name: "x", Tags: []string{"a", "b"}, Weight: 2, Big: 1<<64 - 1}
	if j, _ := testkit.Recv(t, got); !slices.Equal(j.Tags, want.Tags) || j.ID != want.ID || j.Name != want.Name || j.Weight != want.Weight || j.Big != want.Big {
		t.Fatalf("the Go program received %+v, want %+v", j, want)
	}
	if out := c.stdout.String(); out != `{"Big":18446744073709551615,"ID":8,"Name":"x","Tags":["a","b"],"Weight":2.0}`+"\n" {
		t.Fatalf("printed %q", out)
	}
}

// TestDialBadLines checks that a line that is not one JSON value is
// reported with its number and skipped, the others are sent, and the
// exit status says something failed.
func TestDialBadLines(t *testing.T) {
	addr := goListener(t, echo[any](2), netchan.Insecure())
	c := start(context.Background(), []string{"dial", "-insecure", addr}, strings.NewReader("1\nnot json\n\n2 3\n2"), nil)
	err := c.wait(t)
	if code := exitCode(err, new(strings.Builder)); code != 1 {
		t.Fatalf("exit %d (%v), want 1", code, err)
	}
	if got := c.stdout.String(); got != "1\n2\n" {
		t.Fatalf("printed %q, want the two good lines", got)
	}
	stderr := c.stderr.String()
	if !strings.Contains(stderr, "stdin line 2: invalid character") || !strings.Contains(stderr, "stdin line 4: more than one JSON value") {
		t.Fatalf("stderr does not name the bad lines:\n%s", stderr)
	}
}

// TestDialFailures checks that a dial that cannot connect exits with
// status 1 and says why.
func TestDialFailures(t *testing.T) {
	closed := testkit.Loopback(t)
	refused := closed.Addr().String()
	_ = closed.Close()
	secret := netchan.NewSecret()
	other := goListener(t, echo[any](0), netchan.WithSecret(netchan.NewSecret()))
	plain := goListener(t, echo[any](0), netchan.Insecure())
	notPEM := writePEM(t, t.TempDir(), "empty.pem", "CERTIFICATE")
	for _, tc := range []struct {
		name, addr string
		args       []string
		want       string
	}{
		{"refused", refused, []string{"-insecure"}, "refused"},
		{"wrong secret", other, []string{"-secret", secret}, "authentication failed"},
		{"secret against plaintext", plain, []string{"-secret", secret}, "handshake"},
		{"no CA file", plain, []string{"-tls-ca", "/nonexistent/ca.pem"}, "-tls-ca: open /nonexistent/ca.pem"},
		{"no certificate in the CA file", plain, []string{"-tls-ca", notPEM}, "no PEM certificate"},
		{"no key file", plain, []string{"-tls-cert", notPEM, "-tls-key", "/nonexistent/key.pem"}, "-tls-cert"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := start(context.Background(), append(append([]string{"dial"}, tc.args...), tc.addr), strings.NewReader("1\n"), nil)
			err := c.wait(t)
			var stderr strings.Builder
			if code := exitCode(err, &stderr); code != 1 {
				t.Fatalf("exit %d (%v), want 1", code, err)
			}
			msg := c.stderr.String() + stderr.String()
			if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "netchan: ") || strings.Contains(msg, "netchan: netchan:") {
				t.Fatalf("stderr %q, want one line that says %q", msg, tc.want)
			}
		})
	}
}

// TestDialInterrupted checks that ending the run's context, as a signal
// does, ends a dial whose peer never closes, with status 130.
func TestDialInterrupted(t *testing.T) {
	got := make(chan any, 1)
	addr := goListener(t, func(ctx context.Context, send chan<- any, recv <-chan any) {
		got <- <-recv
		<-ctx.Done()
	}, netchan.Insecure())
	stdin, w := net.Pipe() // a terminal that stays open
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := start(ctx, []string{"dial", "-insecure", addr}, stdin, nil)
	if _, err := w.Write([]byte("\"first\"\n")); err != nil {
		t.Fatal(err)
	}
	if v, _ := testkit.Recv(t, got); v != "first" {
		t.Fatalf("the Go program received %v", v)
	}
	cancel()
	if err := c.wait(t); exitCode(err, new(strings.Builder)) != 130 {
		t.Fatalf("after an interrupt: %v, want status 130", err)
	}
}

// TestDialConnectionLost checks that a dial without resume whose connection
// breaks exits
// with status 1 and says why, even while stdin stays open, as a terminal's
// does.
func TestDialConnectionLost(t *testing.T) {
	got := make(chan any, 1)
	addr := goListener(t, func(ctx context.Context, send chan<- any, recv <-chan any) {
		got <- <-recv
		<-ctx.Done()
	}, netchan.Insecure())
	tap := testkit.NewTap(t, addr)
	stdin, w := net.Pipe()
	defer w.Close()
	c := start(context.Background(), []string{"dial", "-insecure", "-resume", "0", tap.Addr()}, stdin, nil)
	if _, err := w.Write([]byte("\"first\"\n")); err != nil {
		t.Fatal(err)
	}
	testkit.Recv(t, got)
	tap.Close() // the network breaks
	err := c.wait(t)
	if code := exitCode(err, new(strings.Builder)); code != 1 || !strings.Contains(c.stderr.String(), "netchan: ") {
		t.Fatalf("after the connection broke: %v (status %d), want status 1; stderr:\n%s", err, code, c.stderr)
	}
}

// brokenWriter is a stdout that fails, as a closed pipe does.
type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestDialStdoutFails checks that a dial whose stdout fails ends with
// status 1, even while stdin stays open.
func TestDialStdoutFails(t *testing.T) {
	addr := goListener(t, echo[any](1), netchan.Insecure())
	stdin, w := net.Pipe()
	defer w.Close()
	stderr := newWatcher()
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"dial", "-insecure", addr}, stdio{stdin: stdin, stdout: brokenWriter{}, stderr: stderr, getenv: func(string) string { return "" }})
	}()
	if _, err := w.Write([]byte("1\n")); err != nil {
		t.Fatal(err)
	}
	err, _ := testkit.Recv(t, done)
	if code := exitCode(err, new(strings.Builder)); code != 1 || !strings.Contains(stderr.String(), "writing stdout: broken pipe") {
		t.Fatalf("%v (status %d), want status 1; stderr:\n%s", err, code, stderr)
	}
}
