package sync_test

import (
	"fmt"

	nsync "github.com/netchan/netchan/sync"
)

// A window of capacity 2, both sides in one goroutine: two values go out
// while the receiving program takes none, the third waits for a credit.
func Example() {
	sender := nsync.NewSender(2, 1024)
	receiver := nsync.NewReceiver(2, 1024)

	send := func(v string) bool {
		if ok, _ := sender.TryReserve(); !ok {
			return false // Reserve would wait here
		}
		seq := sender.Commit(len(v)) // the value goes on the wire with seq
		if err := receiver.OnData(seq, len(v)); err != nil {
			fmt.Println("the receiver refuses it:", err)
		}
		return true
	}
	fmt.Println(send("a"), send("b"), send("c"))

	receiver.Take() // the receiving program takes "a": one credit goes back
	if err := sender.Grant(1); err != nil {
		fmt.Println(err)
	}
	fmt.Println(send("c"))
	// Output:
	// true true false
	// true
}

// A sender that reserves ahead, for values of up to 16 MiB: each
// reservation counts 16 MiB of the 64 MiB byte budget, so four fill it,
// until the sender says how large the values it holds are.
func ExampleSender_Sized() {
	sender := nsync.NewSender(100, 16<<20)
	fmt.Println(sender.TryReserveN(10)) // room for four of the largest

	// The four hold values of 1 KiB each, encoded and waiting to be sent.
	sender.Sized(4, 4<<10)
	fmt.Println(sender.TryReserveN(10)) // three more of the largest fit

	sender.CommitN(4, func(int) int { return 1 << 10 })
	sender.CancelN(3)
	fmt.Println(sender.TryReserveN(10))
	// Output:
	// 4
	// 3
	// 3
}
