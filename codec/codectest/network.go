package codectest

import (
	"context"
	"errors"
	"flag"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// RunNetwork runs rapid properties of netchan itself with c as its codec,
// over real connections on loopback, through netchan.Listen and Dial and
// through package typed, each a subtest:
//
//   - Integrity: generated Shapes arrive in order, each as sent up to the
//     claims opts, in either direction. A value the codec refuses is
//     reported with netchan.ErrEncode wrapping codec.ErrUnsupported, by
//     Send or through OnError as an *netchan.UndeliveredError, and nothing
//     arrives in its place.
//   - Order: hundreds of values through a window of a few arrive in order.
//   - Capacity: with WithBuffer(n), exactly n sends complete while the
//     peer's program has received nothing, and one more once it received
//     one, as with make(chan T, n).
//   - Close: after the sender closes, the peer receives every value sent
//     before, then sees its channel closed.
//   - Any: values sent as `any`, as with Listen[any], arrive as the claims
//     say.
//   - Refusal: a value holding a function is reported as above, with the
//     field named. (Channels travel: netchan carries them as streams.)
//
// Each check opens new connections, so RunNetwork runs few of them (5 to
// 50 per property) unless -rapid.checks or RAPID_CHECKS chose a number; it
// sets that number for its own checks, so it must not run in parallel
// with other rapid tests. Everything it starts has stopped when it
// returns: call it from a package whose TestMain checks for leaked
// goroutines (go.uber.org/goleak).
func RunNetwork(t *testing.T, c codec.Codec, opts ...Option) {
	t.Helper()
	k := newKit(c, opts)
	for _, a := range []api{chanAPI, typedAPI} {
		t.Run(string(a), func(t *testing.T) {
			t.Run("Integrity", func(t *testing.T) { checks(t, 50, func(rt *rapid.T) { k.integrity(rt, a) }) })
			t.Run("Order", func(t *testing.T) { checks(t, 20, func(rt *rapid.T) { k.order(rt, a) }) })
			t.Run("Capacity", func(t *testing.T) { checks(t, 5, func(rt *rapid.T) { k.capacity(rt, a) }) })
			t.Run("Close", func(t *testing.T) { checks(t, 20, func(rt *rapid.T) { k.close(rt, a) }) })
			t.Run("Any", func(t *testing.T) { checks(t, 50, func(rt *rapid.T) { k.anyOverNetwork(rt, a) }) })
			t.Run("Refusal", func(t *testing.T) { checks(t, 5, func(rt *rapid.T) { k.refusalOverNetwork(rt, a) }) })
		})
	}
}

// userChecks reports whether the run chose rapid's number of checks
// itself. It is decided once, before RunNetwork first sets the flag.
var userChecks = sync.OnceValue(func() bool {
	_, chose := os.LookupEnv("RAPID_CHECKS")
	flag.Visit(func(f *flag.Flag) { chose = chose || f.Name == "rapid.checks" })
	return chose
})

// checks runs prop as a rapid check n times, unless the run chose the
// number.
func checks(t *testing.T, n int, prop func(*rapid.T)) {
	t.Helper()
	if f := flag.Lookup("rapid.checks"); f != nil && !userChecks() {
		old := f.Value.String()
		if err := flag.Set("rapid.checks", strconv.Itoa(n)); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = flag.Set("rapid.checks", old) }()
	}
	rapid.Check(t, prop)
}

// ends returns the sending and the receiving end of a new connection, the
// dialer sending unless the check draws otherwise.
func ends[T any](t *rapid.T, a api, c codec.Codec, extra ...netchan.Option) (from, to *end[T]) {
	toDialer := rapid.Bool().Draw(t, "toDialer")
	listener, dialer := connect[T](t, a, c, extra...)
	if toDialer {
		return listener, dialer
	}
	return dialer, listener
}

// lost is a value that must be reported undelivered, and why.
type lost[T any] struct {
	v   T
	err error
}

// sendAll sends vals, numbered by seq, from from, and returns those that
// must arrive and those that must be reported: the ones the codec refuses,
// which is tried on a session of its own, and every one after such a one
// when the codec is stateful (netchan.ErrSendBroken). It checks what typed
// returns; what the channel API reports is checked by checkLost.
func sendAll[T any](t *rapid.T, k *kit, a api, from *end[T], vals []T) (delivered []T, lostVals []lost[T]) {
	t.Helper()
	_, stateful := k.c.(codec.Stateful)
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	broken := false
	for i, v := range vals {
		var want error
		switch {
		case broken:
			want = netchan.ErrSendBroken
		case refusedAlone(k.c, v):
			want = netchan.ErrEncode
			broken = stateful
		default:
			delivered = append(delivered, v)
		}
		if want != nil {
			lostVals = append(lostVals, lost[T]{v, want})
		}
		err := from.send(ctx, v)
		switch {
		case a == chanAPI:
			if err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		case want == nil:
			if err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		case !errors.Is(err, want):
			t.Fatalf("send %d: got %v, want an error wrapping %v", i, err, want)
		case want == netchan.ErrEncode && !errors.Is(err, codec.ErrUnsupported):
			t.Fatalf("send %d: the error does not wrap codec.ErrUnsupported: %v", i, err)
		}
	}
	return delivered, lostVals
}

// refusedAlone reports whether the codec refuses v on a connection of its
// own.
func refusedAlone[T any](c codec.Codec, v T) bool {
	_, err := encodeAs(codec.ForConnection(c), nil, &v)
	return err != nil
}

// checkLost checks that the channel API reported exactly the values in
// want, in order, each as an UndeliveredError wrapping its reason.
func checkLost[T any](t *rapid.T, k *kit, from *end[T], want []lost[T]) {
	t.Helper()
	eventually(t, "the undelivered values to be reported", func() bool { return len(from.errs.all()) >= len(want) })
	errs := from.errs.all()
	if len(errs) != len(want) {
		t.Fatalf("OnError got %d errors, want %d: %v", len(errs), len(want), errs)
	}
	for i, err := range errs {
		var u *netchan.UndeliveredError[T]
		if !errors.As(err, &u) || !errors.Is(err, want[i].err) {
			t.Fatalf("OnError got %v, want an UndeliveredError wrapping %v", err, want[i].err)
		}
		if want[i].err == netchan.ErrEncode && !errors.Is(err, codec.ErrUnsupported) {
			t.Fatalf("OnError got %v, which does not wrap codec.ErrUnsupported", err)
		}
		if d := diffOf(newClaims(nil), want[i].v, u.Value); d != "" {
			t.Fatalf("the UndeliveredError holds another value: %s", d)
		}
	}
}

// eventually polls cond until it holds, failing the check after
// testkit.Patience.
func eventually(t *rapid.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testkit.Patience)
	for wait := time.Millisecond; !cond(); wait = min(2*wait, 20*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, testkit.Patience)
		}
		time.Sleep(wait)
	}
}
