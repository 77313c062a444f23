package main

import (
	"regexp"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/netchan/netchan/internal/testkit"
)

func TestMain(m *testing.M) {
	testkit.RunMainIfChild(main)
	goleak.VerifyTestMain(m)
}

// A server and two clients, each a process: one client is given the
// address and secret by flags, the other by the environment. The server
// prints every word, and everyone ends cleanly.
func TestTwoProcesses(t *testing.T) {
	server := testkit.StartMain(t, nil, "-serve", "-listen", "127.0.0.1:0")
	addr := server.Match(t, regexp.MustCompile(`^NETCHAN_ADDR=(\S+)$`))[1]
	secret := server.Match(t, regexp.MustCompile(`^NETCHAN_SECRET=(\S+)$`))[1]

	byFlags := testkit.StartMain(t, nil, "-addr", addr, "-secret", secret, "one", "two")
	byEnv := testkit.StartMain(t, []string{"NETCHAN_ADDR=" + addr, "NETCHAN_SECRET=" + secret}, "three")
	for _, c := range []*testkit.Process{byFlags, byEnv} {
		if out, err := c.Wait(t); err != nil || len(out) > 0 || c.Stderr() != "" {
			t.Errorf("client printed %q, exited with %v and wrote to stderr %q; want nothing, success and no warning", out, err, c.Stderr())
		}
	}
	var got []string
	for range 3 {
		got = append(got, server.Line(t))
	}
	server.Interrupt(t)
	rest, err := server.Wait(t)
	got = append(got, rest...)
	slices.Sort(got)
	if want := []string{"one", "three", "two"}; !slices.Equal(got, want) || err != nil || server.Stderr() != "" {
		t.Fatalf("server printed %q, exited with %v and wrote to stderr %q; want %q in any order, success and no warning", got, err, server.Stderr(), want)
	}
}

// A client with no secret is refused before it connects, with a message.
func TestClientWithoutSecret(t *testing.T) {
	c := testkit.StartMain(t, []string{"NETCHAN_ADDR=127.0.0.1:1", "NETCHAN_SECRET="}, "hello")
	if _, err := c.Wait(t); err == nil || !regexp.MustCompile(`WithSecret`).MatchString(c.Stderr()) {
		t.Fatalf("exited with %v, stderr %q; want a failure naming WithSecret", err, c.Stderr())
	}
}
