package sync

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
)

// big is a largest value whose budget is the floor: two fit, not three.
const big = MinBudget / 2

func TestSenderBudgetCountsReservationsAtTheLargestSize(t *testing.T) {
	s := NewSender(100, big)
	for i := range 2 {
		if err := s.Reserve(canceled()); err != nil {
			t.Fatalf("reservation %d within the budget: %v", i, err)
		}
	}
	third := async(func() error { return s.Reserve(context.Background()) })
	if !blocked(third) {
		t.Fatal("a third reservation went through with two of the largest size possible")
	}
	s.Commit(10)
	if !blocked(third) {
		t.Fatal("a third reservation went through while another could still be of the largest size")
	}
	s.Commit(10)
	if err := <-third; err != nil {
		t.Fatalf("third reservation after two small commits: %v", err)
	}
	s.Commit(big)
	// 20 bytes and one of the largest size are outstanding.
	if err := s.Reserve(canceled()); err == nil {
		t.Fatal("reserved beyond the budget")
	}
	if err := s.Grant(1); err != nil {
		t.Fatal(err)
	}
	if err := s.Reserve(canceled()); err == nil {
		t.Fatal("one credit for a small value made room for a value of the largest size")
	}
	if err := s.Grant(2); err != nil {
		t.Fatal(err)
	}
	if err := s.Reserve(canceled()); err != nil {
		t.Fatalf("reserve with the window empty: %v", err)
	}
}

// With small values the budget never binds: the window is the capacity.
func TestSenderBudgetIdleWithSmallValues(t *testing.T) {
	s := NewSender(1000, 1<<20)
	for i := range 1000 {
		if err := s.Reserve(canceled()); err != nil {
			t.Fatalf("reserve %d: %v", i, err)
		}
		s.Commit(100)
	}
	if err := s.Reserve(canceled()); err == nil {
		t.Fatal("reserved beyond the window")
	}
}

func TestReceiverBudget(t *testing.T) {
	r := NewReceiver(100, big)
	for seq := range uint64(2) {
		if err := r.OnData(seq, big); err != nil {
			t.Fatalf("value %d within the budget: %v", seq, err)
		}
	}
	if err := r.Room(1); !errors.Is(err, ErrOverrun) {
		t.Fatalf("Room with the budget used up: %v; want ErrOverrun", err)
	}
	if err := r.OnData(2, 1); !errors.Is(err, ErrOverrun) {
		t.Fatalf("a value beyond the budget: %v; want ErrOverrun", err)
	}
	r.Take()
	if err := r.Room(big); err != nil {
		t.Fatalf("Room after a take: %v", err)
	}
	if err := r.OnData(2, big); err != nil {
		t.Fatalf("a value after a take: %v", err)
	}
}

func TestBudget(t *testing.T) {
	if got := Budget(1 << 20); got != MinBudget {
		t.Errorf("Budget(1 MiB) = %d; want the floor %d", got, MinBudget)
	}
	if got := Budget(1 << 30); got != 2<<30 {
		t.Errorf("Budget(1 GiB) = %d; want two values' worth", got)
	}
	// A window whose largest values all fit the budget is not counted.
	if got := budgetFor(64, 1<<20); got != 0 {
		t.Errorf("budgetFor(64, 1 MiB) = %d; want 0, since 64 MiB fits", got)
	}
	if got := budgetFor(65, 1<<20); got != MinBudget {
		t.Errorf("budgetFor(65, 1 MiB) = %d; want %d", got, MinBudget)
	}
}

// The sizes of a burst's values are not kept once they were all taken.
func TestSizesShrinkOnceEmpty(t *testing.T) {
	var q sizes
	for i := range 1000 {
		q.push(uint32(i))
	}
	q.pop(999)
	if q.total != 999 {
		t.Fatalf("total %d after popping all but the last, want 999", q.total)
	}
	if len(q.sums) < 1000 {
		t.Fatalf("ring of %d for 1000 sizes", len(q.sums))
	}
	q.pop(1)
	if q.total != 0 || len(q.sums) > keepSizes {
		t.Fatalf("empty: total %d, ring of %d; want 0 and at most %d", q.total, len(q.sums), keepSizes)
	}
	q.push(7)
	q.pop(1)
	if q.total != 0 || q.n != 0 {
		t.Fatalf("after one more: total %d, %d sizes", q.total, q.n)
	}
}

// Pushes and pops of any size, wrapping round the ring and growing it,
// keep the total of what is queued, as a plain queue does.
func TestSizesMatchesAQueue(t *testing.T) {
	var q sizes
	var model []uint32
	sum := func() (s uint64) {
		for _, v := range model {
			s += uint64(v)
		}
		return s
	}
	r := rand.New(rand.NewPCG(1, 2))
	for step := range 20000 {
		if r.IntN(2) == 0 {
			for range r.IntN(40) {
				v := r.Uint32N(1 << 20)
				q.push(v)
				model = append(model, v)
			}
		} else if len(model) > 0 {
			k := r.IntN(len(model) + 1)
			q.pop(uint64(k))
			model = model[k:]
		}
		if q.total != sum() || q.n != len(model) {
			t.Fatalf("step %d: total %d of %d sizes; want %d of %d", step, q.total, q.n, sum(), len(model))
		}
	}
}
