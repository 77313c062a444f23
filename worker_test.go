package netchan_test

import (
	"context"
	"errors"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A worker that leaves cleanly loses no job: a producer sends 2,000 jobs to
// two workers through a listener, one worker takes a few and leaves with
// close(send) and cancel(), and the jobs it had not taken reach the other.
// Every job reaches a worker's program, none twice.
func TestWorkerThatLeavesLosesNoJob(t *testing.T) {
	const jobs, few = 2000, 3
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	log := &errorLog{}
	produce, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for job := range jobs {
			select {
			case produce <- job:
			case <-ctx.Done():
				return
			}
		}
	}()

	leaving, leave := context.WithCancel(ctx)
	left := make(chan error, 1)
	send, jobsA, err := netchan.Dial[int](leaving, ln.Addr().String(), netchan.Insecure(), netchan.OnDone(func(err error) { left <- err }))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[int]string, jobs)
	take := func(who string, job int) {
		if prev, ok := seen[job]; ok {
			t.Fatalf("job %d reached %s, and %s before", job, who, prev)
		}
		seen[job] = who
	}
	for range few {
		job, _ := testkit.Recv(t, jobsA)
		take("the worker that leaves", job)
	}
	// The other worker connects only now: one connected first could have
	// every job in its window, the default capacity being more than 2,000,
	// and the first would wait for a job for ever.
	_, jobsB, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	close(send)
	leave()
	if err, _ := testkit.Recv(t, left); err != nil {
		t.Fatalf("the leaving worker's OnDone: %v; want nil", err)
	}
	for len(seen) < jobs {
		job, ok := testkit.Recv(t, jobsB)
		if !ok {
			t.Fatalf("the other worker's channel closed after %d jobs", len(seen))
		}
		take("the other worker", job)
	}
	for _, err := range log.all() {
		var u *netchan.UndeliveredError[int]
		if errors.As(err, &u) {
			t.Errorf("job %d reported undelivered, though it reached %s", u.Value, seen[u.Value])
		}
	}
}
