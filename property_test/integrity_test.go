package property_test

import (
	"context"
	"errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec/codectest"
	"github.com/netchan/netchan/internal/testkit"
)

// TestIntegrity: what the receiver gets equals what was sent, in order, up
// to the codec's documented equivalences. A value the codec would change
// (JSON: bytes that are not UTF-8, NaN, a zone offset with seconds) is
// refused with ErrEncode, reported, and nothing arrives in its place. gob is
// stateful: after it refused a value, the send side is out of step with the
// peer, so every later value is refused with ErrSendBroken.
func TestIntegrity(t *testing.T) {
	forEach(t, 50, func(t *rapid.T, s setup) {
		vals := rapid.SliceOfN(shapeGen(), 1, 6).Draw(t, "values")
		toClient := rapid.Bool().Draw(t, "toClient")
		srv, cli := connect[Shape](t, s, 1).pair()
		from, to := cli, srv
		if toClient {
			from, to = srv, cli
		}
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		defer cancel()

		var delivered []Shape
		var lost []undelivered
		broken := false
		for i, v := range vals {
			v.Seq = i
			var want error
			switch {
			case broken:
				want = netchan.ErrSendBroken
			case refuses(v, s.codec):
				want = netchan.ErrEncode
				broken = s.codec.Name() == "gob"
			default:
				delivered = append(delivered, v)
			}
			if want != nil {
				lost = append(lost, undelivered{v, want})
			}
			err := from.send(ctx, v)
			switch {
			case s.api == chanAPI && err != nil:
				t.Fatalf("send %d: %v", i, err)
			case s.api == typedAPI && !errors.Is(err, want) && (err != nil || want != nil):
				t.Fatalf("send %d: got %v, want %v", i, err, want)
			}
		}
		if !broken {
			// The end marker shows that nothing else arrived after the values.
			from.mustSend(t, Shape{Seq: -1})
		}
		for _, want := range delivered {
			got, ok := to.mustRecv(t)
			if !ok {
				t.Fatalf("closed before value %d", want.Seq)
			}
			if same, diff := sameShape(want, got, codectest.Claims(s.codec)...); !same {
				t.Fatalf("value %d changed on the way: %s", want.Seq, diff)
			}
		}
		switch {
		case !broken:
			if end, _ := to.mustRecv(t); end.Seq != -1 {
				t.Fatalf("got value %d after the last one, want the end marker", end.Seq)
			}
		case to.seesClose:
			from.closeSend()
			if v, ok := to.mustRecv(t); ok {
				t.Fatalf("got value %d after the last one, want the channel closed", v.Seq)
			}
		default:
			if v, ok, blocks := to.recvBlocks(t); !blocks {
				t.Fatalf("got value %d (ok %v) after the last one", v.Seq, ok)
			}
		}
		if s.api == chanAPI {
			eventually(t, "the undelivered values to be reported", func() bool {
				return len(from.errs.all()) >= len(lost)
			})
			checkUndelivered(t, from.errs.all(), lost)
		}
		if errs := to.errs.all(); len(errs) != 0 {
			t.Fatalf("receiver reported %v", errs)
		}
	})
}

// undelivered is a value the channel API must report, and why.
type undelivered struct {
	v   Shape
	err error
}

// checkUndelivered checks that OnError got exactly the undelivered values,
// in order, each as an UndeliveredError wrapping the expected reason.
func checkUndelivered(t *rapid.T, errs []error, want []undelivered) {
	t.Helper()
	if len(errs) != len(want) {
		t.Fatalf("OnError got %d errors, want %d: %v", len(errs), len(want), errs)
	}
	for i, err := range errs {
		var u *netchan.UndeliveredError[Shape]
		if !errors.As(err, &u) || !errors.Is(err, want[i].err) {
			t.Fatalf("OnError got %v, want an UndeliveredError wrapping %v", err, want[i].err)
		}
		if same, diff := sameShape(want[i].v, u.Value); !same {
			t.Fatalf("UndeliveredError holds another value: %s", diff)
		}
	}
}
