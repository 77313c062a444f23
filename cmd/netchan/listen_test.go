package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

var listening = regexp.MustCompile(`listening on (\S+)`)

// goClient is a Go program that dials with the library: it sends values,
// closes its side, receives until the listener closed its own, and
// returns what it received once the connection has ended.
func goClient(t *testing.T, addr string, values []any, opts ...netchan.Option) []any {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := make(chan error, 1)
	send, recv, err := netchan.Dial[any](ctx, addr, append(opts, netchan.OnDone(func(err error) { ended <- err }))...)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		testkit.Send(t, send, v)
	}
	close(send)
	var got []any
	for {
		v, ok := testkit.Recv(t, recv)
		if !ok {
			break
		}
		got = append(got, v)
	}
	if err, _ := testkit.Recv(t, ended); err != nil {
		t.Fatalf("the Go client's connection: %v", err)
	}
	return got
}

// TestListenServesGoClient runs netchan listen against a Go program that
// dials, over every kind of trust: each prints, or receives, what the
// other sent, and the listener exits once the client has gone.
func TestListenServesGoClient(t *testing.T) {
	for _, tc := range trustCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			stdin := strings.NewReader("\"to the client\"\n{\"n\":1,\"f\":0.5}\n")
			c := start(context.Background(), append(append([]string{"listen"}, tc.listenArgs...), "127.0.0.1:0"), stdin, tc.env)
			addr := c.stderr.await(t, listening)[1]
			got := goClient(t, addr, []any{"from the client", map[string]any{"k": []any{1, -2}}}, tc.client)
			c.mustSucceed(t)
			want := []any{"to the client", map[any]any{"n": uint64(1), "f": 0.5}}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("the Go client received %#v, want %#v", got, want)
			}
			if out := c.stdout.String(); out != "\"from the client\"\n{\"k\":[1,-2]}\n" {
				t.Fatalf("printed %q", out)
			}
		})
	}
}

// TestListenNewSecret checks that -secret new prints a secret that lets a
// client in.
func TestListenNewSecret(t *testing.T) {
	c := start(context.Background(), []string{"listen", "-secret", "new", "127.0.0.1:0"}, strings.NewReader("1\n"), nil)
	m := c.stderr.await(t, regexp.MustCompile(`dial it with: NETCHAN_SECRET=(\S+) netchan dial (\S+)`))
	got := goClient(t, m[2], []any{"in"}, netchan.WithSecret(m[1]))
	c.mustSucceed(t)
	if len(got) != 1 || got[0] != uint64(1) || c.stdout.String() != "\"in\"\n" {
		t.Fatalf("the client received %v; the listener printed %q", got, c.stdout.String())
	}
}

// TestListenManyClients checks that the values of every client print, and
// that each line of stdin goes to exactly one client.
func TestListenManyClients(t *testing.T) {
	const clients, sent, each = 3, 30, 5
	var stdin strings.Builder
	for i := range sent {
		fmt.Fprintf(&stdin, "%d\n", i)
	}
	c := start(context.Background(), []string{"listen", "-insecure", "-buffer", "2", "127.0.0.1:0"}, strings.NewReader(stdin.String()), nil)
	addr := c.stderr.await(t, listening)[1]

	// All dial before any sends, so that the listener, which exits once
	// no client is left, sees them all.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type client struct {
		send  chan<- any
		recv  <-chan any
		ended chan error
	}
	var cs []client
	for range clients {
		ended := make(chan error, 1)
		send, recv, err := netchan.Dial[any](ctx, addr, netchan.Insecure(), netchan.OnDone(func(err error) { ended <- err }))
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, client{send, recv, ended})
	}
	var wg sync.WaitGroup
	received := make(chan []any, clients)
	for i, cl := range cs {
		wg.Go(func() {
			for j := range each {
				cl.send <- fmt.Sprintf("client %d value %d", i, j)
			}
			close(cl.send)
			var got []any
			for v := range cl.recv {
				got = append(got, v)
			}
			if err := <-cl.ended; err != nil {
				t.Errorf("client %d: %v", i, err)
			}
			received <- got
		})
	}
	c.mustSucceed(t)
	wg.Wait()
	var all []int
	for range clients {
		for _, v := range <-received {
			all = append(all, int(v.(uint64)))
		}
	}
	slices.Sort(all)
	if len(all) != sent || all[0] != 0 || all[sent-1] != sent-1 || len(slices.Compact(all)) != sent {
		t.Fatalf("the clients received %v, want 0 to %d once each", all, sent-1)
	}
	printed := lines(c.stdout)
	if len(printed) != clients*each {
		t.Fatalf("printed %d values, want %d:\n%s", len(printed), clients*each, c.stdout)
	}
	for i := range clients {
		for j := range each {
			if !slices.Contains(printed, fmt.Sprintf("\"client %d value %d\"", i, j)) {
				t.Fatalf("value %d of client %d not printed:\n%s", j, i, c.stdout)
			}
		}
	}
}

// TestListenEnds checks when a listener whose stdin has ended exits:
// once its client has gone, or with -keep only when interrupted, after
// serving a second client.
func TestListenEnds(t *testing.T) {
	c := start(context.Background(), []string{"listen", "-insecure", "127.0.0.1:0"}, strings.NewReader(""), nil)
	goClient(t, c.stderr.await(t, listening)[1], []any{"only"}, netchan.Insecure())
	c.mustSucceed(t)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c = start(ctx, []string{"listen", "-insecure", "-keep", "127.0.0.1:0"}, strings.NewReader(""), nil)
	addr := c.stderr.await(t, listening)[1]
	goClient(t, addr, []any{"first"}, netchan.Insecure())
	// A client's session ends once its value reached the listener, which
	// may print it after a later client's: the order is the test's only
	// once the first is printed.
	c.stdout.await(t, regexp.MustCompile(`"first"\n`))
	goClient(t, addr, []any{"second"}, netchan.Insecure())
	c.stdout.await(t, regexp.MustCompile(`"first"\n"second"\n`))
	cancel()
	if err := c.wait(t); exitCode(err, new(strings.Builder)) != 130 {
		t.Fatalf("-keep after an interrupt: %v, want status 130", err)
	}
}

// TestCommandToCommand runs netchan dial against netchan listen with the
// JSON codec, which carries the text of each line as it is.
func TestCommandToCommand(t *testing.T) {
	line := `{"big":12345678901234567890123,"f":1.50,"s":"<&>"}`
	l := start(context.Background(), []string{"listen", "-codec", "json", "-secret", "new", "127.0.0.1:0"}, strings.NewReader(line+"\n"), nil)
	m := l.stderr.await(t, regexp.MustCompile(`dial it with: NETCHAN_SECRET=(\S+) netchan dial -codec json (\S+)`))
	d := start(context.Background(), []string{"dial", "-codec", "json", m[2]}, strings.NewReader("[1, 2]\n"), map[string]string{secretEnv: m[1]})
	d.mustSucceed(t)
	l.mustSucceed(t)
	if got := d.stdout.String(); got != line+"\n" {
		t.Fatalf("dial printed %q, want %q", got, line)
	}
	if got := l.stdout.String(); got != "[1,2]\n" {
		t.Fatalf("listen printed %q", got)
	}
}

// TestListenWaitsForEveryClient checks that a listener whose stdin has
// ended and whose first client has gone still serves a client that is
// connected, and exits once that one has gone too.
func TestListenWaitsForEveryClient(t *testing.T) {
	c := start(context.Background(), []string{"listen", "-insecure", "127.0.0.1:0"}, strings.NewReader(""), nil)
	addr := c.stderr.await(t, listening)[1]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := make(chan error, 1)
	send, recv, err := netchan.Dial[any](ctx, addr, netchan.Insecure(), netchan.OnDone(func(err error) { ended <- err }))
	if err != nil {
		t.Fatal(err)
	}
	goClient(t, addr, []any{"early"}, netchan.Insecure())
	c.stdout.await(t, regexp.MustCompile(`"early"\n`))
	testkit.Send(t, send, any("late"))
	close(send)
	for range recv {
	}
	if err, _ := testkit.Recv(t, ended); err != nil {
		t.Fatal(err)
	}
	c.mustSucceed(t)
	if got := c.stdout.String(); got != "\"early\"\n\"late\"\n" {
		t.Fatalf("printed %q", got)
	}
}
