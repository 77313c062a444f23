package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/netchan/netchan/internal/testkit"
)

func TestMain(m *testing.M) {
	testkit.RunMainIfChild(main)
	goleak.VerifyTestMain(m)
}

// A server and three client processes asking at once: each client gets the
// answers to its own words, in its own order, and everyone ends cleanly.
func TestRequestReply(t *testing.T) {
	server := testkit.StartMain(t, nil, "-serve")
	env := []string{
		server.Match(t, regexp.MustCompile(`^NETCHAN_ADDR=\S+$`))[0],
		server.Match(t, regexp.MustCompile(`^NETCHAN_SECRET=\S+$`))[0],
	}
	words := map[*testkit.Process][]string{}
	for c := range 3 {
		var ws []string
		for i := range 20 {
			ws = append(ws, fmt.Sprintf("client%dword%d", c, i))
		}
		words[testkit.StartMain(t, env, ws...)] = ws
	}
	for client, ws := range words {
		out, err := client.Wait(t)
		var want []string
		for _, w := range ws {
			want = append(want, w+" -> "+strings.ToUpper(w))
		}
		if err != nil || strings.Join(out, "\n") != strings.Join(want, "\n") || client.Stderr() != "" {
			t.Errorf("client printed %q, exited with %v and wrote to stderr %q; want %q, success and no warning", out, err, client.Stderr(), want)
		}
	}
	server.Interrupt(t)
	if out, err := server.Wait(t); err != nil || len(out) > 0 || server.Stderr() != "" {
		t.Fatalf("server printed %q more, exited with %v and wrote to stderr %q; want nothing more, success and no warning", out, err, server.Stderr())
	}
}
