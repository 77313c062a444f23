// Workqueue hands jobs to any number of worker processes and collects
// their results. Start the queue, then workers with the two lines it
// printed in their environment:
//
//	workqueue -queue -jobs 20         # prints NETCHAN_ADDR=… and NETCHAN_SECRET=…
//	NETCHAN_ADDR=… NETCHAN_SECRET=… workqueue
//
// The queue prints each result as it comes and a total once all are in,
// and serves until it is interrupted: a worker leaves once the queue has
// no more jobs for it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"

	"github.com/netchan/netchan"
)

// Job travels both ways: to a worker with N, back with its result.
type Job struct {
	N, Square int
	Worker    int // the process that did it
}

func main() {
	queue := flag.Bool("queue", false, "hand out jobs, rather than do them")
	jobs := flag.Int("jobs", 20, "how many jobs the queue hands out")
	flag.Parse()
	var err error
	if *queue {
		err = runQueue(*jobs)
	} else {
		err = work(os.Getenv("NETCHAN_ADDR"), os.Getenv("NETCHAN_SECRET"))
	}
	if err != nil {
		log.Fatal(err)
	}
}

func runQueue(jobs int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	secret := netchan.NewSecret()
	toWorkers, fromWorkers, err := netchan.Listen[Job](ctx, "localhost:0", netchan.WithSecret(secret),
		netchan.OnListen(func(a net.Addr) { fmt.Printf("NETCHAN_ADDR=%s\nNETCHAN_SECRET=%s\n", a, secret) }))
	if err != nil {
		return err
	}
	go func() {
		for n := 1; n <= jobs; n++ {
			toWorkers <- Job{N: n} // to one worker with room for it
		}
		close(toWorkers) // each worker's receive channel closes once it has all its jobs
	}()
	sum, done := 0, 0
	for j := range fromWorkers { // closed once interrupted
		fmt.Printf("%d squared is %d (worker %d)\n", j.N, j.Square, j.Worker)
		if sum, done = sum+j.Square, done+1; done == jobs {
			fmt.Printf("all %d jobs done: the squares add up to %d\n", jobs, sum)
		}
	}
	return nil
}

func work(addr, secret string) error {
	done := make(chan error, 1)
	results, jobs, err := netchan.Dial[Job](context.Background(), addr, netchan.WithSecret(secret),
		netchan.WithBuffer(1), // one job waiting at a time, so that the others go to other workers
		netchan.OnDone(func(err error) { done <- err }))
	if err != nil {
		return err
	}
	for j := range jobs { // until the queue has no more
		j.Square, j.Worker = j.N*j.N, os.Getpid()
		results <- j
	}
	close(results)
	return <-done // nil once every result was delivered
}
