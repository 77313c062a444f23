package main

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"go.uber.org/goleak"

	"github.com/netchan/netchan/internal/testkit"
)

func TestMain(m *testing.M) {
	testkit.RunMainIfChild(main)
	goleak.VerifyTestMain(m)
}

// A queue and three worker processes: every job is done once, by one of
// the workers, its result reaches the queue, and everyone ends cleanly.
func TestWorkQueue(t *testing.T) {
	const jobs, workers = 30, 3
	queue := testkit.StartMain(t, nil, "-queue", "-jobs", strconv.Itoa(jobs))
	env := []string{
		queue.Match(t, regexp.MustCompile(`^NETCHAN_ADDR=\S+$`))[0],
		queue.Match(t, regexp.MustCompile(`^NETCHAN_SECRET=\S+$`))[0],
	}
	pids := map[int]bool{}
	var running []*testkit.Process
	for range workers {
		w := testkit.StartMain(t, env)
		pids[w.Pid()] = true
		running = append(running, w)
	}

	result := regexp.MustCompile(`^(\d+) squared is (\d+) \(worker (\d+)\)$`)
	done := map[int]bool{}
	for len(done) < jobs {
		line := queue.Line(t)
		m := result.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("queue printed %q before all %d results; want a result", line, jobs)
		}
		n, _ := strconv.Atoi(m[1])
		square, _ := strconv.Atoi(m[2])
		pid, _ := strconv.Atoi(m[3])
		if n < 1 || n > jobs || done[n] || square != n*n || !pids[pid] {
			t.Fatalf("queue printed %q: a job out of range, done twice, wrong, or done by no worker of %v", line, pids)
		}
		done[n] = true
	}
	if line, want := queue.Line(t), fmt.Sprintf("all %d jobs done: the squares add up to %d", jobs, jobs*(jobs+1)*(2*jobs+1)/6); line != want {
		t.Fatalf("queue printed %q; want %q", line, want)
	}
	for _, w := range running {
		if out, err := w.Wait(t); err != nil || len(out) > 0 || w.Stderr() != "" {
			t.Errorf("worker printed %q, exited with %v and wrote to stderr %q; want nothing, success and no warning", out, err, w.Stderr())
		}
	}
	queue.Interrupt(t)
	if out, err := queue.Wait(t); err != nil || len(out) > 0 || queue.Stderr() != "" {
		t.Fatalf("queue printed %q more, exited with %v and wrote to stderr %q; want nothing more, success and no warning", out, err, queue.Stderr())
	}
}
