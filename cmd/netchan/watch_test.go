package main

import (
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// The run is not over while a client's session has not ended, though no
// connection is open: after a clean end its connection closes before its
// last values reach the program, and ending the listener then would lose
// them.
func TestClientWatchWaitsForEverySession(t *testing.T) {
	w := newClientWatch(testkit.Loopback(t), false)
	w.stdinEnded()
	w.started(nil)
	w.started(nil)
	w.served(nil)
	if w.isOver() {
		t.Fatal("over with a session not ended and no connection open")
	}
	w.served(nil)
	if !w.isOver() {
		t.Fatal("not over once stdin ended and every session ended")
	}
}
