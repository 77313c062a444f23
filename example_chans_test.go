package netchan_test

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/netchan/netchan"
)

// Request carries the channel its answer goes back on.
type Request struct {
	Text  string
	Reply chan<- string
}

// A request carries its reply channel: the server sends the answer on the
// field, and it arrives in the channel the client put in the request.
// Closing the field closes the client's channel.
func Example_replyChannel() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	_, requests, err := netchan.Listen[Request](ctx, "", netchan.WithListener(ln), netchan.Insecure())
	if err != nil {
		panic(err)
	}
	go func() {
		for r := range requests {
			r.Reply <- strings.ToUpper(r.Text)
			close(r.Reply)
		}
	}()

	send, _, err := netchan.Dial[Request](ctx, ln.Addr().String(), netchan.Insecure())
	if err != nil {
		panic(err)
	}
	reply := make(chan string, 1)
	send <- Request{Text: "hello", Reply: reply}
	fmt.Println(<-reply)
	_, open := <-reply
	fmt.Println("reply channel open:", open)
	// Output:
	// HELLO
	// reply channel open: false
}

// Subscribe carries a stream: the client goes on sending on the channel it
// put in the value, and the server receives from the field.
type Subscribe struct {
	Topic   string
	Updates <-chan int
}

// A subscription stream: the values the client sends on its channel arrive
// on the server's field, in order, and the channel's close follows them.
func Example_stream() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	_, subs, err := netchan.Listen[Subscribe](ctx, "", netchan.WithListener(ln), netchan.Insecure())
	if err != nil {
		panic(err)
	}
	send, _, err := netchan.Dial[Subscribe](ctx, ln.Addr().String(), netchan.Insecure())
	if err != nil {
		panic(err)
	}
	updates := make(chan int)
	send <- Subscribe{Topic: "prices", Updates: updates}
	go func() {
		for i := range 3 {
			updates <- 100 + i
		}
		close(updates)
	}()

	sub := <-subs
	for v := range sub.Updates {
		fmt.Println(sub.Topic, v)
	}
	// Output:
	// prices 100
	// prices 101
	// prices 102
}

// Job, Result and Session are the types of a worker protocol.
type (
	Job    struct{ ID, N int }
	Result struct{ ID, Square int }
	// Session hands a client three typed channels at once.
	Session struct {
		Jobs    <-chan Job
		Results chan<- Result
		Logs    chan<- string
	}
)

// Several typed channels over one connection, by name: the listener hands
// each client a Session, whose Jobs the client receives, and on whose
// Results and Logs it sends.
func Example_session() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	sessions, _, err := netchan.Listen[Session](ctx, "", netchan.WithListener(ln), netchan.Insecure())
	if err != nil {
		panic(err)
	}

	// The worker: it takes its Session, and does the jobs.
	_, mine, err := netchan.Dial[Session](ctx, ln.Addr().String(), netchan.Insecure())
	if err != nil {
		panic(err)
	}
	go func() {
		s := <-mine
		for j := range s.Jobs {
			s.Logs <- fmt.Sprintf("job %d", j.ID)
			s.Results <- Result{ID: j.ID, Square: j.N * j.N}
		}
		close(s.Logs)
		close(s.Results)
	}()

	// The listener's program: it hands the worker a session and feeds it.
	jobs, results, logs := make(chan Job), make(chan Result), make(chan string)
	sessions <- Session{Jobs: jobs, Results: results, Logs: logs}
	go func() {
		for i := 1; i <= 2; i++ {
			jobs <- Job{ID: i, N: 10 * i}
		}
		close(jobs)
	}()
	for range 2 {
		fmt.Println(<-logs)
		fmt.Println(<-results)
	}
	_, logsOpen := <-logs
	_, resultsOpen := <-results
	fmt.Println("open:", logsOpen, resultsOpen)
	// Output:
	// job 1
	// {1 100}
	// job 2
	// {2 400}
	// open: false false
}
