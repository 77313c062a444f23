package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// TestRunThroughCuts runs the whole benchmark with every connection cut
// each 100ms, by FIN and by reset in turn, through both APIs, buffered and
// Sync(): the sessions resume, and every value comes back once.
func TestRunThroughCuts(t *testing.T) {
	for _, extra := range [][]string{{}, {"-api", "typed"}, {"-sync"}, {"-api", "typed", "-sync", "-insecure"}} {
		t.Run(fmt.Sprint(extra), func(t *testing.T) {
			t.Parallel()
			args := append([]string{"-duration", "2s", "-clients", "3", "-cut-every", "100ms", "-json"}, extra...)
			sum := runOK(t, context.Background(), args)
			if sum.Received == 0 || sum.Lost != 0 || sum.Received != sum.Sent || sum.Echoed != sum.Sent {
				t.Fatalf("sent %d, echoed %d, received %d, lost %d", sum.Sent, sum.Echoed, sum.Received, sum.Lost)
			}
			if sum.Cuts == 0 || sum.Resumes == 0 {
				t.Fatalf("%d cuts and %d resumes in %v", sum.Cuts, sum.Resumes, sum.Settings.Duration)
			}
			t.Logf("sent %d; %d cuts, %d resumes, %d failed redials, %d handshakes cut",
				sum.Sent, sum.Cuts, sum.Resumes, sum.FailedRedials, sum.HandshakesCut)
		})
	}
}

// A run that cuts needs both ends in this process, a positive period and a
// known kind of cut.
func TestCutFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-cut-every", "-1s"},
		{"-cut-every", "100ms", "-cut-kind", "bite"},
		{"-role", "server", "-insecure", "-cut-every", "100ms"},
		{"-role", "clients", "-addr", "127.0.0.1:1", "-insecure", "-cut-every", "100ms"},
	} {
		_, err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
		if code := exitCode(nil, err, &bytes.Buffer{}); code != 2 {
			t.Errorf("%q: exit %d (%v), want 2", args, code, err)
		}
	}
}
