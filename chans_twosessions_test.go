package netchan_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// twoReplies holds two reply channels, behind a payload that takes a
// while to encode.
type twoReplies struct {
	Pad  []int
	A, B chan<- int
}

// One channel sent on two connections at once is carried by one of them
// at most: the other send fails with ErrChanInUse, whole, so that the
// other channel of its value is free to be sent again.
func TestChannelSentOnTwoConnectionsAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	_, a, _ := chanPair[twoReplies](t, ctx)
	_, b, _ := chanPair[twoReplies](t, ctx)
	pad := make([]int, 1<<14)
	for range 100 {
		shared := make(chan int)
		own := []chan int{make(chan int), make(chan int)}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, c := range []*typed.Conn[twoReplies]{a, b} {
			wg.Go(func() { errs[i] = c.Send(ctx, twoReplies{Pad: pad, A: own[i], B: shared}) })
		}
		wg.Wait()
		if errs[0] == nil && errs[1] == nil {
			t.Fatal("one channel carried by two connections at once")
		}
		for i, err := range errs {
			if err == nil {
				continue
			}
			if !errors.Is(err, netchan.ErrChanInUse) {
				t.Fatal(err)
			}
			// Its value was refused whole: its own channel is not carried.
			if err := []*typed.Conn[twoReplies]{a, b}[i].Send(ctx, twoReplies{A: own[i]}); err != nil {
				t.Fatalf("the other channel of a value refused: %v", err)
			}
		}
	}
}
