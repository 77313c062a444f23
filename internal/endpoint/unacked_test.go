package endpoint

import (
	"slices"
	gosync "sync"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// The ring keeps, in order, what was pushed and not yet acknowledged;
// credits that come before their values' push let go of them at once.
func TestUnackedKeepsWhatIsNotAcknowledged(t *testing.T) {
	u := ownedUnacked[int](new(gosync.Mutex))
	u.push(0, 0, 0, 1, 2)
	u.trim(2)
	u.push(2, 3, 3, 4)
	u.trim(1)             // an older count changes nothing
	u.push(6, 5, 5, 6, 7) // credits for value 5 came before its push
	if got := u.takeAll(0); !slices.Equal(got, []int{6, 7}) {
		t.Fatalf("kept %v; want [6 7]", got)
	}
}

// Acknowledged values are let go of at once, so that nothing of the
// program's stays alive for them.
func TestUnackedLetsGoOfWhatIsAcknowledged(t *testing.T) {
	u := ownedUnacked[*int](new(gosync.Mutex))
	for i := range 100 {
		u.push(0, uint64(i), new(int))
	}
	u.trim(99)
	for i, p := range u.q.buf {
		if p != nil && i != u.q.head {
			t.Fatalf("slot %d still holds a value acknowledged", i)
		}
	}
	u.trim(100)
	if u.q.n != 0 {
		t.Fatalf("%d values kept after all were acknowledged", u.q.n)
	}
}

// A send's later push lets go of what was acknowledged since the last,
// for credits the reader could not trim by, a send holding the lock.
func TestUnackedPushLetsGoOfWhatWasAcknowledged(t *testing.T) {
	u := ownedUnacked[int](new(gosync.Mutex))
	u.push(0, 0, 0, 1, 2, 3)
	u.push(3, 4, 4)
	if got := u.takeAll(0); !slices.Equal(got, []int{3, 4}) {
		t.Fatalf("kept %v; want [3 4]", got)
	}
}

// ownedUnacked returns an unacked guarded by mu, as a Conn's is by its
// sendMu.
func ownedUnacked[T any](mu *gosync.Mutex) *unacked[T] {
	u := &unacked[T]{}
	u.q.owner = mu
	return u
}

// A ring grown for a burst shrinks once it stays mostly empty, though a
// few values stay unacknowledged: a peer may keep some credits for long.
func TestUnackedShrinksWhileAFewValuesWait(t *testing.T) {
	var mu gosync.Mutex
	u := ownedUnacked[int](&mu)
	mu.Lock()
	for i := range 1000 {
		u.push(0, uint64(i), i)
	}
	u.trim(990)
	mu.Unlock()
	size := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(u.q.buf)
	}
	testkit.Eventually(t, "the ring to shrink", func() bool { return size() <= keepRing })
	mu.Lock()
	defer mu.Unlock()
	if got := u.takeAll(0); !slices.Equal(got, []int{990, 991, 992, 993, 994, 995, 996, 997, 998, 999}) {
		t.Fatalf("kept %v after shrinking; want 990 to 999", got)
	}
}

// The ring's trim timer may fire while sends push: it locks the ring's
// owner (the race detector checks).
func TestUnackedTrimTimerWhilePushing(t *testing.T) {
	var mu gosync.Mutex
	u := ownedUnacked[int](&mu)
	mu.Lock()
	u.push(0, 0, 0)
	u.trim(1)
	mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			u.q.trimIdle()
		}
	}()
	for i := range 1000 {
		mu.Lock()
		u.push(uint64(i+1), uint64(i+1), i)
		u.trim(uint64(i + 2))
		mu.Unlock()
	}
	<-done
	mu.Lock()
	defer mu.Unlock()
	if got := u.takeAll(0); len(got) != 0 {
		t.Fatalf("kept %v after every value was acknowledged", got)
	}
}

// Values acknowledged while a send held the lock, so that the reader
// could not let go of them, are not among those the end hands back: the
// peer's program took them.
func TestUnackedEndLeavesOutWhatWasAcknowledged(t *testing.T) {
	u := ownedUnacked[int](new(gosync.Mutex))
	u.push(0, 0, 0, 1, 2, 3)
	if got := u.takeAll(2); !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("the end handed back %v; want [2 3]", got)
	}
}
