package netchan_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// reportedValues returns the values reported as *UndeliveredError[any].
func reportedValues(log *errorLog) []any {
	var vs []any
	for _, err := range log.all() {
		if u, ok := errors.AsType[*netchan.UndeliveredError[any]](err); ok {
			vs = append(vs, u.Value)
		}
	}
	return vs
}

// accountedFor waits until each of want was received (in got) or reported
// undelivered to log.
func accountedFor(t *testing.T, log *errorLog, got []int, want ...int) {
	t.Helper()
	testkit.Eventually(t, "every value delivered or reported", func() bool {
		reported := reportedValues(log)
		for _, v := range want {
			if !slices.Contains(got, v) && !slices.Contains(reported, any(v)) {
				return false
			}
		}
		return true
	})
}

// Values a client sent on a stream channel and closed it after are,
// when the client then closes its connection, each delivered or reported:
// never silently gone.
func TestStreamValuesOnCleanClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Patience)
	defer cancel()
	server, client, log := chanPair[subscription](t, ctx)
	up := make(chan int, 3)
	if err := client.Send(ctx, subscription{Topic: "x", Updates: up}); err != nil {
		t.Fatal(err)
	}
	s, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	up <- 1
	up <- 2
	up <- 3
	close(up)
	// The client's pump took the first value; the others wait for room.
	testkit.Eventually(t, "the first value to leave", func() bool { return len(up) == 2 })
	// A value on the main stream, behind the first: the server's session
	// has that when it has this.
	if err := client.Send(ctx, subscription{Topic: "y"}); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	client.Close()
	<-server.Done()
	var got []int
	for v := range s.Updates {
		got = append(got, v)
	}
	accountedFor(t, log, got, 1, 2, 3)
}

// A reply a server sent and closed its field after, then closed its
// connection, is delivered or reported.
func TestReplyOnCleanClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Patience)
	defer cancel()
	server, client, log := chanPair[request](t, ctx)
	reply := make(chan int)
	if err := client.Send(ctx, request{N: 1, Reply: reply}); err != nil {
		t.Fatal(err)
	}
	r, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Send(t, r.Reply, 7)
	close(r.Reply)
	// A value on the main stream, behind the reply: the client's session
	// has the reply when it has that.
	if err := server.Send(ctx, request{N: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	server.Close()
	<-client.Done()
	var got []int
	for v := range reply {
		got = append(got, v)
	}
	accountedFor(t, log, got, 7)
}

// Replies that wait in the buffer of a reply channel's original when the
// connection ends cleanly are the program's, as values in a closed Go
// channel's buffer are: they are received there, and not reported
// undelivered at the end that sent them.
func TestBufferedRepliesOnCleanClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Patience)
	defer cancel()
	server, client, log := chanPair[request](t, ctx)
	reply := make(chan int, 2)
	if err := client.Send(ctx, request{N: 1, Reply: reply}); err != nil {
		t.Fatal(err)
	}
	r, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Send(t, r.Reply, 1)
	testkit.Send(t, r.Reply, 2)
	testkit.Eventually(t, "both replies in the buffer", func() bool { return len(reply) == 2 })
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	var got []int
	for v := range reply {
		got = append(got, v)
	}
	if !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("received %v, want [1 2]", got)
	}
	if vs := reportedValues(log); len(vs) > 0 {
		t.Fatalf("received, and reported undelivered too: %v", vs)
	}
}
