package endpoint

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/conn"
	"github.com/netchan/netchan/internal/options"
	"github.com/netchan/netchan/internal/testkit"
)

func newTestInbox(t *testing.T, window int) *inbox[int] {
	t.Helper()
	return inboxes[int](&options.Settings{Codec: codec.JSON()}, nil, nil)(nil, window).(*inbox[int])
}

// noTrim keeps in's ring from being given up while the test looks at it:
// the trim timer fires into nothing.
func noTrim(in *inbox[int]) {
	in.mu.Lock()
	in.q.trim = time.AfterFunc(time.Hour, func() {})
	in.mu.Unlock()
}

// ringLen returns the size of in's ring.
func ringLen[T any](in *inbox[T]) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.q.buf)
}

func arrive(t *testing.T, in *inbox[int], v int) {
	t.Helper()
	if err := in.Arrive([][]byte{[]byte(strconv.Itoa(v))}); err != nil {
		t.Fatalf("Arrive(%d): %v", v, err)
	}
}

func popValue(t *testing.T, in *inbox[int]) int {
	t.Helper()
	a, _, ok, _ := in.pop()
	if !ok || a.err != nil {
		t.Fatalf("pop = %v, %v, %v; want a value", a.v, ok, a.err)
	}
	return a.v
}

// Values come out in arrival order while the ring grows and wraps around.
func TestInboxKeepsOrderAcrossGrowthAndWrap(t *testing.T) {
	const window = 100
	in := newTestInbox(t, window)
	noTrim(in)
	next, want := 0, 0
	// Keep between 1 and window values waiting, in uneven steps, so that
	// the ring both wraps and grows with values in it.
	for round := range 40 {
		for range round%7*13 + 1 {
			if in.Len() == window {
				break
			}
			arrive(t, in, next)
			next++
		}
		for range round%5*11 + 1 {
			if in.Len() == 0 {
				break
			}
			if got := popValue(t, in); got != want {
				t.Fatalf("round %d: popped %d; want %d", round, got, want)
			}
			want++
		}
	}
	for in.Len() > 0 {
		if got := popValue(t, in); got != want {
			t.Fatalf("popped %d; want %d", got, want)
		}
		want++
	}
	if want != next || want < window {
		t.Fatalf("popped %d of %d values; the test meant to pass the window %d", want, next, window)
	}
	if n := ringLen(in); n > window {
		t.Fatalf("ring of %d for a window of %d", n, window)
	}
}

func TestInboxRefusesMoreThanTheWindow(t *testing.T) {
	in := newTestInbox(t, 3)
	for v := range 3 {
		arrive(t, in, v)
	}
	if err := in.Arrive([][]byte{[]byte("3")}); !errors.Is(err, conn.ErrProtocol) {
		t.Fatalf("Arrive beyond the window: %v; want ErrProtocol", err)
	}
}

// A ring grown by a burst is halved once traffic stays light, and not
// after a single light spell.
func TestInboxRingShrinksAfterLeanSpells(t *testing.T) {
	in := newTestInbox(t, 1024)
	noTrim(in)
	for v := range 1024 {
		arrive(t, in, v)
	}
	for in.Len() > 0 {
		popValue(t, in)
	}
	grown := ringLen(in)
	if grown != 1024 {
		t.Fatalf("ring of %d after 1024 values; want 1024", grown)
	}
	spell := func() {
		arrive(t, in, 1)
		popValue(t, in)
	}
	spell()
	if ringLen(in) != grown {
		t.Fatalf("ring shrank to %d after one light spell", ringLen(in))
	}
	for range leanSpells {
		spell()
	}
	if ringLen(in) != grown/2 {
		t.Fatalf("ring of %d after %d light spells; want %d", ringLen(in), leanSpells+1, grown/2)
	}
	for range 10 * leanSpells {
		spell()
	}
	if ringLen(in) != keepRing {
		t.Fatalf("ring of %d after many light spells; want the kept size %d", ringLen(in), keepRing)
	}
}

func TestInboxCloseAfterValues(t *testing.T) {
	in := newTestInbox(t, 4)
	arrive(t, in, 7)
	in.Close()
	if got := popValue(t, in); got != 7 {
		t.Fatalf("popped %d; want 7", got)
	}
	if _, _, ok, closed := in.pop(); ok || !closed {
		t.Fatalf("pop after the last value: ok %v, closed %v; want closed", ok, closed)
	}
}

// A value the codec refuses waits in line as an error; one beyond the
// codec's limits ends the connection instead.
func TestInboxDecodeErrors(t *testing.T) {
	in := newTestInbox(t, 4)
	if err := in.Arrive([][]byte{[]byte(`"not an int"`)}); err != nil {
		t.Fatalf("Arrive of an undecodable value: %v; want it kept for Recv", err)
	}
	a, _, ok, _ := in.pop()
	if !ok || !errors.Is(a.err, ErrDecode) {
		t.Fatalf("pop = %v, %v; want an ErrDecode", ok, a.err)
	}
	deep := make([]byte, 0, 2*codec.MaxJSONDepth+4)
	for range codec.MaxJSONDepth + 1 {
		deep = append(deep, '[')
	}
	for range codec.MaxJSONDepth + 1 {
		deep = append(deep, ']')
	}
	err := in.Arrive([][]byte{deep})
	if !errors.Is(err, conn.ErrLimit) || !errors.Is(err, ErrDecode) {
		t.Fatalf("Arrive of a value beyond the limits: %v; want ErrLimit and ErrDecode", err)
	}
	if in.Len() != 0 {
		t.Fatalf("%d values kept after a hostile one", in.Len())
	}
}

// A decode error names the type the value was for, an interface type too,
// rather than what the failed decode left, which for one is nothing.
func TestInboxDecodeErrorNamesType(t *testing.T) {
	in := inboxes[any](&options.Settings{Codec: codec.JSON()}, nil, nil)(nil, 4).(*inbox[any])
	if err := in.Arrive([][]byte{[]byte(`{`)}); err != nil {
		t.Fatalf("Arrive of an undecodable value: %v; want it kept for Recv", err)
	}
	a, _, ok, _ := in.pop()
	if !ok || !errors.Is(a.err, ErrDecode) || !strings.Contains(a.err.Error(), "interface {}") {
		t.Fatalf("pop = %v, %v; want an ErrDecode that names interface {}", ok, a.err)
	}
}

type panicky struct{}

func (panicky) UnmarshalJSON([]byte) error { panic("boom") }

// A panic in the codec does not escape the reader: it comes back as the
// value, to be raised where the value is received.
func TestInboxKeepsADecodePanic(t *testing.T) {
	in := inboxes[panicky](&options.Settings{Codec: codec.JSON()}, nil, nil)(nil, 2).(*inbox[panicky])
	if err := in.Arrive([][]byte{[]byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	a, _, ok, _ := in.pop()
	if !ok || a.panicked == nil || a.panicked.value != "boom" {
		t.Fatalf("pop = %+v, %v; want the panic kept", a, ok)
	}
}

// A large ring left empty for trimAfter is given up.
func TestQuietInboxGivesUpItsRing(t *testing.T) {
	in := newTestInbox(t, 1024)
	for v := range 1024 {
		arrive(t, in, v)
	}
	for in.Len() > 0 {
		popValue(t, in)
	}
	if grown := ringLen(in); grown != 1024 {
		t.Fatalf("ring of %d after 1024 values; want 1024", grown)
	}
	testkit.Eventually(t, "the empty ring to be given up", func() bool { return ringLen(in) == 0 })
}

type pair struct{ A, B int }

// The variable decoded into is reused: a value must not inherit a field
// the one before it had and it lacks.
func TestInboxDecodesEachValueAfresh(t *testing.T) {
	in := inboxes[pair](&options.Settings{Codec: codec.JSON()}, nil, nil)(nil, 4).(*inbox[pair])
	for _, v := range []string{`{"A":1,"B":2}`, `{"A":3}`} {
		if err := in.Arrive([][]byte{[]byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	want := []pair{{1, 2}, {3, 0}}
	for i, w := range want {
		a, _, ok, _ := in.pop()
		if !ok || a.err != nil || a.v != w {
			t.Fatalf("value %d: %+v (ok %v, %v); want %+v", i, a.v, ok, a.err, w)
		}
	}
}
