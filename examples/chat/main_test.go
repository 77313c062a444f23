package main

import (
	"regexp"
	"testing"

	"go.uber.org/goleak"

	"github.com/netchan/netchan/internal/testkit"
)

func TestMain(m *testing.M) {
	testkit.RunMainIfChild(main)
	goleak.VerifyTestMain(m)
}

// A room and two members: each hears the other's lines and its own, in the
// order the room relayed them, and everyone ends cleanly.
func TestChat(t *testing.T) {
	room := testkit.StartMain(t, nil, "-serve")
	env := []string{
		room.Match(t, regexp.MustCompile(`^NETCHAN_ADDR=\S+$`))[0],
		room.Match(t, regexp.MustCompile(`^NETCHAN_SECRET=\S+$`))[0],
	}
	expect := func(who *testkit.Process, want string) {
		t.Helper()
		if got := who.Line(t); got != want {
			t.Fatalf("a member printed %q; want %q", got, want)
		}
	}
	ann := testkit.StartMain(t, env, "-name", "ann")
	expect(ann, "ann: joined") // the room relayed ann's first line: ann hears all that follows
	bob := testkit.StartMain(t, env, "-name", "bob")
	expect(bob, "bob: joined")
	expect(ann, "bob: joined")

	ann.Type(t, "hello bob")
	expect(ann, "ann: hello bob")
	expect(bob, "ann: hello bob")
	bob.Type(t, "hello ann")
	expect(bob, "bob: hello ann")
	expect(ann, "bob: hello ann")

	for _, m := range []*testkit.Process{bob, ann} {
		m.EndInput(t)
		if out, err := m.Wait(t); err != nil || len(out) > 0 || m.Stderr() != "" {
			t.Errorf("a member printed %q more, exited with %v and wrote to stderr %q; want nothing more, success and no warning", out, err, m.Stderr())
		}
	}
	room.Interrupt(t)
	if out, err := room.Wait(t); err != nil || len(out) > 0 || room.Stderr() != "" {
		t.Fatalf("the room printed %q more, exited with %v and wrote to stderr %q; want nothing more, success and no warning", out, err, room.Stderr())
	}
}
