package conn

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// valuesConfig is testConfig with room for the values frames' tests: a
// window of 8, and values larger than a values frame.
func valuesConfig() *Config {
	cfg := testConfig()
	cfg.Capacity = 8
	cfg.MaxValue = 8192
	return cfg
}

// The values of values frames, between data frames, reach the program in
// order, each once, and count as that many: the credits given back and
// the close's count are theirs.
func TestValuesFrameArrives(t *testing.T) {
	want := []string{"zero", "", "two", strings.Repeat("3", 200), "four", "five", "six"}
	for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
		t.Run(role.String(), func(t *testing.T) {
			s, p := sessionAndPeer(t, role, valuesConfig(), valuesConfig(), nil)
			ctx := patience(t)
			p.write(valuesFrame(MainStream, 0, want[:4]...), dataFrame(MainStream, 4, want[4]), valuesFrame(MainStream, 5, want[5:]...))
			for i, w := range want {
				m, err := s.Main().Next(ctx)
				if err != nil {
					t.Fatalf("value %d: %v", i, err)
				}
				if string(m.Value) != w {
					t.Errorf("value %d arrived as %.20q, want %.20q", i, m.Value, w)
				}
				m.Release()
				s.Main().Take()
			}
			if got := s.Main().Stats().Arrived; got != uint64(len(want)) {
				t.Errorf("%d values counted as arrived, want %d", got, len(want))
			}
			var credit uint64
			for credit < uint64(len(want)) {
				n, err := wire.ParseCount(p.expect(wire.KindCredit).Payload, wire.KindCredit)
				if err != nil {
					t.Fatal(err)
				}
				if credit += n; credit > uint64(len(want)) {
					t.Fatalf("credit for %d values, %d arrived", credit, len(want))
				}
			}
			p.write(countFrame(wire.KindClose, MainStream, uint64(len(want))))
			if err := recvEOF(ctx, s.Main()); err != nil {
				t.Fatalf("after the close of %d values: %v", len(want), err)
			}
			if err := s.Err(); err != nil {
				t.Fatalf("the session ended: %v", err)
			}
		})
	}
}

// arrivals is an inbox that hands a copy of each Arrive's values to a
// channel.
type arrivals chan []string

func (a arrivals) Arrive(values [][]byte) error {
	got := make([]string, len(values))
	for i, v := range values {
		got[i] = string(v)
	}
	a <- got
	return nil
}

func (a arrivals) Close()   {}
func (a arrivals) Len() int { return 0 }

// The inbox takes a values frame's values in one call, a data frame's
// value in one of its own.
func TestValuesFrameOneArrive(t *testing.T) {
	got := make(arrivals, 4)
	cfg := valuesConfig()
	cfg.Inbox = func(*Session, int) Inbox { return got }
	_, p, _ := rawDialer(t, cfg, valuesConfig(), nil)
	p.write(valuesFrame(MainStream, 0, "a", "b", "c"), dataFrame(MainStream, 3, "d"), valuesFrame(MainStream, 4, "e", "f"))
	for _, want := range []string{"a b c", "d", "e f"} {
		values, _ := testkit.Recv(t, got)
		if strings.Join(values, " ") != want {
			t.Errorf("Arrive(%q), want the values %s", values, want)
		}
	}
}

// A values frame as large as the bound arrives, read where it lies in the
// reader's buffer.
func TestValuesFrameAtItsBound(t *testing.T) {
	if wire.HeaderSize+wire.MaxValuesPayload > readBuffer {
		t.Fatalf("a values frame of %d bytes does not fit the read buffer of %d", wire.HeaderSize+wire.MaxValuesPayload, readBuffer)
	}
	s, p, _ := rawDialer(t, valuesConfig(), valuesConfig(), nil)
	// Payloads of 1+2+4084 and 1+2+4083+1 bytes.
	want := []string{strings.Repeat("a", 4084), strings.Repeat("b", 4083), ""}
	frames := [][]byte{valuesFrame(MainStream, 0, want[0]), valuesFrame(MainStream, 1, want[1:]...)}
	for _, f := range frames {
		if len(f) != wire.HeaderSize+wire.MaxValuesPayload {
			t.Fatalf("a test frame of %d bytes", len(f))
		}
	}
	p.write(frames...)
	ctx := patience(t)
	for i, w := range want {
		m, err := s.Main().Next(ctx)
		if err != nil {
			t.Fatalf("value %d: %v", i, err)
		}
		if string(m.Value) != w {
			t.Errorf("value %d arrived as %d bytes, want %d", i, len(m.Value), len(w))
		}
		m.Release()
		s.Main().Take()
	}
}

// With a small MaxValue, a values frame's values may be as large as it
// and no larger.
func TestValuesFrameSmallMaxValue(t *testing.T) {
	cfg := valuesConfig()
	cfg.MaxValue = 16
	s, p, _ := rawDialer(t, cfg, cfg, nil)
	bye := p.drain()
	p.write(valuesFrame(MainStream, 0, strings.Repeat("x", 16), ""))
	m, err := s.Main().Next(patience(t))
	if err != nil || len(m.Value) != 16 {
		t.Fatalf("a value of MaxValue bytes: %d bytes, %v", len(m.Value), err)
	}
	m.Release()
	p.tryWrite(valuesFrame(MainStream, 2, "", strings.Repeat("x", 17)))
	wantErr(t, "a value a byte above MaxValue", ended(t, s), ErrTooLarge)
	if g, ok := testkit.Recv(t, bye); !ok || g.Code != codeOf(ErrTooLarge) {
		t.Errorf("goaway %+v (%v)", g, ok)
	}
}

// On a rendezvous session, where a goroutine waiting for a value reads
// for itself, a values frame on a buffered stream the peer opened arrives
// whole and in order.
func TestValuesFrameRendezvousSession(t *testing.T) {
	for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
		t.Run(role.String(), func(t *testing.T) {
			cfg := valuesConfig()
			cfg.Capacity = 0
			s, p := sessionAndPeer(t, role, cfg, cfg, nil)
			id := idsOf(3 - role).peer(1)
			p.write(openFrame(id, 4, "m"), valuesFrame(id, 0, "a", "b", "c"), countFrame(wire.KindClose, id, 3))
			ctx := patience(t)
			st, err := s.Accept(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := recvValues(ctx, st, 3, func(i int) []byte { return []byte{byte('a' + i)} }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// On a rendezvous session, goroutines waiting on two streams read values
// frames for each other: a waiter on the main stream reads the frames of
// a buffered stream whose receiver waits too, over many frames, each
// sent once the credits say there is room.
func TestValuesFramesReadByWaiters(t *testing.T) {
	cfg := valuesConfig()
	cfg.Capacity = 0
	s, p, _ := rawDialer(t, cfg, cfg, nil)
	id := idsOf(wire.RoleDialer).peer(1)
	const window, per, frames = 8, 4, 50
	value := func(i int) []byte { return fmt.Appendf(nil, "v%d", i) }
	ctx := patience(t)
	var g errgroup.Group
	g.Go(func() error { // the main stream's one value comes last
		m, err := s.Main().Next(ctx)
		if err != nil {
			return fmt.Errorf("main stream: %w", err)
		}
		defer m.Release()
		if string(m.Value) != "last" {
			return fmt.Errorf("main stream: %q", m.Value)
		}
		s.Main().Take()
		return nil
	})
	g.Go(func() error {
		st, err := s.Accept(ctx)
		if err != nil {
			return err
		}
		return recvValues(ctx, st, per*frames, value)
	})
	p.write(openFrame(id, window, "m"))
	var credit uint64
	for f := range frames {
		for uint64(f*per+per) > credit+window {
			r := p.read()
			switch {
			case r.Kind == wire.KindCredit && r.Stream == id:
				n, err := wire.ParseCount(r.Payload, wire.KindCredit)
				if err != nil {
					t.Fatal(err)
				}
				credit += n
			case r.Kind == wire.KindGoAway:
				t.Fatalf("goaway after %d frames: %s", f, r.Payload)
			}
		}
		vs := make([]string, per)
		for i := range vs {
			vs[i] = string(value(f*per + i))
		}
		p.write(valuesFrame(id, uint64(f*per), vs...))
	}
	p.write(countFrame(wire.KindClose, id, per*frames), dataFrame(MainStream, 0, "last"))
	bye := p.drain()
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("the session ended: %v", err)
	}
	p.close()
	<-bye
}

// A values frame of more values than the reader hands a stream at once
// arrives in parts, in order and whole; one broken at its end hands the
// stream none of its values.
func TestValuesFrameOfManyTinyValues(t *testing.T) {
	n := 3*maxScratch + 5
	tiny := make([]string, n)
	for i := range tiny {
		tiny[i] = string(rune('a' + i%26))
	}
	got := make(arrivals, 8)
	cfg := valuesConfig()
	cfg.Capacity = 2 * n
	cfg.Inbox = func(*Session, int) Inbox { return got }
	s, p, _ := rawDialer(t, cfg, cfg, nil)
	p.write(valuesFrame(MainStream, 0, tiny...))
	var all []string
	for len(all) < n {
		part, _ := testkit.Recv(t, got)
		if len(part) > maxScratch {
			t.Fatalf("a part of %d values, at most %d", len(part), maxScratch)
		}
		all = append(all, part...)
	}
	if strings.Join(all, "") != strings.Join(tiny, "") {
		t.Fatalf("the values arrived as %.40q..., want %.40q...", strings.Join(all, ""), strings.Join(tiny, ""))
	}

	broken := valuesFrame(MainStream, uint64(n), tiny...)
	broken[len(broken)-2] = 5 // the last value's length: it claims 5 bytes, and has 1
	p.tryWrite(broken)
	wantErr(t, "a values frame broken at its end", ended(t, s), ErrProtocol)
	select {
	case part := <-got:
		t.Fatalf("a broken frame handed the stream %d values", len(part))
	default:
	}
}
