package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/netchan/netchan"
)

// netchan dial against a Go program that listens with the library: each
// line of stdin goes to the program as a value of any, and what the
// program sends back prints as a line. The program closes its side after
// two answers, and dial exits once both sides have closed.
func Example_dial() {
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	toClients, fromClients, err := netchan.Listen[any](ctx, "", netchan.WithListener(ln), netchan.Insecure())
	if err != nil {
		panic(err)
	}
	go func() {
		for range 2 {
			req := (<-fromClients).(map[any]any) // CBOR's maps have keys of any type
			toClients <- map[string]any{"echo": req["say"], "n": req["n"].(uint64) + 1}
		}
		close(toClients)
	}()

	stdin := strings.NewReader(`{"say":"hello","n":1}` + "\n" + `{"say":"bye","n":2}` + "\n")
	err = run(ctx, []string{"dial", "-insecure", ln.Addr().String()}, stdio{stdin: stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	fmt.Println("exit status", exitCode(err, os.Stderr))

	cancel()
	for range fromClients { // closed once the listener has stopped
	}
	// Output:
	// {"echo":"hello","n":2}
	// {"echo":"bye","n":3}
	// exit status 0
}
