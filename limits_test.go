package netchan_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
	nsync "github.com/netchan/netchan/sync"
	"github.com/netchan/netchan/typed"
)

// honestExchange dials the listener at addr with opts and trades one value
// each way with it: the proof that the listener still serves honest
// clients after a hostile one. The listener must have no other client, or
// the value it sends could go to that one.
func honestExchange[T comparable](t *testing.T, addr string, ls chan<- T, lr <-chan T, a, b T, opts ...netchan.Option) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ds, dr, err := netchan.Dial[T](ctx, addr, opts...)
	if err != nil {
		t.Fatalf("honest Dial: %v", err)
	}
	testkit.Send(t, ds, a)
	if v, ok := testkit.Recv(t, lr); !ok || v != a {
		t.Fatalf("listener got %v (open %v) from the honest client, want %v", v, ok, a)
	}
	testkit.Send(t, ls, b)
	if v, ok := testkit.Recv(t, dr); !ok || v != b {
		t.Fatalf("honest client got %v (open %v), want %v", v, ok, b)
	}
}

// wantGoAway reads the listener's goaway to the raw peer and checks its code.
func wantGoAway(t *testing.T, p *testkit.Peer, code wire.Code) {
	t.Helper()
	g, err := p.GoAway()
	if err != nil {
		t.Fatalf("waiting for the listener's goaway: %v", err)
	}
	if g.Code != code {
		t.Fatalf("goaway %s (%q), want %s", g.Code, g.Reason, code)
	}
}

// isTimeout reports whether err holds a net.Error that timed out.
func isTimeout(err error) bool {
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// The sender refuses a value larger than the peer accepts, before sending
// it, and the connection goes on.
func TestMaxMessageSizeSenderRefuses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, lr, _ := listenLogged[[]byte](t, ctx, netchan.Insecure(), netchan.WithMaxMessageSize(1024))
	c, err := typed.Dial[[]byte](ctx, addr, netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send(ctx, make([]byte, 2000)); !errors.Is(err, netchan.ErrTooLarge) {
		t.Fatalf("Send of 2000 bytes to a peer that accepts 1024: %v; want ErrTooLarge", err)
	}
	sctx, scancel := context.WithTimeout(ctx, testkit.Patience)
	defer scancel()
	if err := c.Send(sctx, []byte("small")); err != nil {
		t.Fatalf("Send after the refusal: %v", err)
	}
	if v, _ := testkit.Recv(t, lr); string(v) != "small" {
		t.Fatalf("listener got %q", v)
	}
}

// A peer that sends a larger frame than this end accepts loses its
// connection with ErrTooLarge; nobody else does.
func TestMaxMessageSizeReceiverCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, ls, lr, log := listenLogged[[]byte](t, ctx, netchan.Insecure(), netchan.WithMaxMessageSize(1024))
	p := testkit.DialPeer(t, addr, testkit.PeerHello())
	value, err := codec.CBOR().Marshal(make([]byte, 2000))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(testkit.DataFrame(1, 0, value)); err != nil {
		t.Fatal(err)
	}
	wantGoAway(t, p, wire.CodeLimit)
	reported(t, log, "ErrTooLarge to reach OnError", netchan.ErrTooLarge)
	honestExchangeBytes(t, addr, ls, lr)
}

func honestExchangeBytes(t *testing.T, addr string, ls chan<- []byte, lr <-chan []byte) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ds, dr, err := netchan.Dial[[]byte](ctx, addr, netchan.Insecure())
	if err != nil {
		t.Fatalf("honest Dial: %v", err)
	}
	testkit.Send(t, ds, []byte("up"))
	if v, _ := testkit.Recv(t, lr); string(v) != "up" {
		t.Fatalf("listener got %q from the honest client", v)
	}
	testkit.Send(t, ls, []byte("down"))
	if v, _ := testkit.Recv(t, dr); string(v) != "down" {
		t.Fatalf("honest client got %q", v)
	}
}

// A value beyond the CBOR decoder's limits is hostile: the connection that
// carried it ends with ErrLimit.
func TestCBORLimitsCloseConnection(t *testing.T) {
	limited, err := codec.CBORWithLimits(codec.CBORLimits{MaxNestedLevels: 4, MaxArrayElements: 16, MaxMapPairs: 16})
	if err != nil {
		t.Fatal(err)
	}
	wide := map[string]int{}
	for _, k := range strings.Split("a b c d e f g h i j k l m n o p q", " ") {
		wide[k] = 1
	}
	for _, tc := range []struct {
		name  string
		value any
		is    func(error) bool
	}{
		{"nesting", []any{[]any{[]any{[]any{[]any{1}}}}}, func(err error) bool { _, ok := errors.AsType[*cbor.MaxNestedLevelError](err); return ok }},
		{"array", make([]int, 17), func(err error) bool { _, ok := errors.AsType[*cbor.MaxArrayElementsError](err); return ok }},
		{"map", wide, func(err error) bool { _, ok := errors.AsType[*cbor.MaxMapPairsError](err); return ok }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addr, ls, lr, log := listenLogged[any](t, ctx, netchan.Insecure(), netchan.WithCodec(limited))
			// The default codec encodes what the limited one refuses.
			value, err := codec.CBOR().Marshal(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			p := testkit.DialPeer(t, addr, testkit.PeerHello())
			if err := p.Write(testkit.DataFrame(1, 0, value)); err != nil {
				t.Fatal(err)
			}
			wantGoAway(t, p, wire.CodeLimit)
			err = reported(t, log, "ErrLimit to reach OnError", netchan.ErrLimit, codec.ErrLimitExceeded)
			// The receive loop reports the value it could not decode; the
			// connection's end is reported once its send loop stopped too,
			// after which it takes no more values from ls.
			testkit.Eventually(t, "the connection's end to be reported", func() bool {
				n := 0
				for _, e := range log.all() {
					if wrapsAll(e, netchan.ErrLimit) {
						n++
					}
				}
				return n >= 2
			})
			if !tc.is(err) {
				t.Errorf("reported %v; want the CBOR library's %s limit error", err, tc.name)
			}
			honestExchange[any](t, addr, ls, lr, uint64(7), uint64(9), netchan.Insecure())
		})
	}
}

// A peer that connects and says nothing is dropped after the handshake
// timeout, which is reported; meanwhile others are served.
func TestHandshakeTimeoutDropsSilentPeer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Long enough for the honest client's whole handshake on a loaded
	// machine, which the listener bounds by the same timeout.
	const timeout = 500 * time.Millisecond
	secret := netchan.NewSecret()
	addr, ls, lr, log := listenLogged[int](t, ctx, netchan.WithSecret(secret), netchan.WithHandshakeTimeout(timeout))
	start := time.Now()
	nc, err := net.DialTimeout("tcp", addr, testkit.Patience)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// The honest client connects while the silent one waits.
	honestExchange(t, addr, ls, lr, 1, 2, netchan.WithSecret(secret))
	p := &rawConn{nc}
	if !p.ended() {
		t.Fatalf("the silent peer was not dropped within %v", testkit.Patience)
	}
	if elapsed := time.Since(start); elapsed < timeout {
		t.Fatalf("the silent peer was dropped after %v, before the handshake timeout of %v", elapsed, timeout)
	}
	err = reported(t, log, "the handshake timeout to reach OnError", netchan.ErrHandshake)
	if !isTimeout(err) {
		t.Fatalf("reported %v; want a net.Error with Timeout", err)
	}
}

// A peer that completes the handshake and then goes silent is dropped after
// the idle timeout.
func TestIdleTimeoutDropsSilentPeer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, ls, lr, log := listenLogged[int](t, ctx, netchan.Insecure(), netchan.WithIdleTimeout(300*time.Millisecond))
	p := testkit.DialPeer(t, addr, testkit.PeerHello())
	if !p.Ended() {
		t.Fatalf("the silent peer was not dropped within %v", testkit.Patience)
	}
	err := reported(t, log, "ErrConnLost to reach OnError", netchan.ErrConnLost)
	if !isTimeout(err) {
		t.Fatalf("reported %v; want a net.Error with Timeout", err)
	}
	honestExchange(t, addr, ls, lr, 1, 2, netchan.Insecure())
}

// Pings keep a quiet, healthy connection alive across several idle periods.
func TestIdleTimeoutKeepsQuietPairConnected(t *testing.T) {
	const idle = 400 * time.Millisecond
	e := connect[int](t,
		[]netchan.Option{netchan.Insecure(), netchan.WithIdleTimeout(idle)},
		[]netchan.Option{netchan.Insecure(), netchan.WithIdleTimeout(idle)})
	// No traffic for several idle periods: only pings keep the pair up.
	<-time.After(4 * idle)
	testkit.Send(t, e.ds, 1)
	if v, ok := testkit.Recv(t, e.lr); !ok || v != 1 {
		t.Fatalf("listener got %d, open %v", v, ok)
	}
	testkit.Send(t, e.ls, 2)
	if v, ok := testkit.Recv(t, e.dr); !ok || v != 2 {
		t.Fatalf("dialer got %d, open %v", v, ok)
	}
	if errs := append(e.lerr.all(), e.derr.all()...); len(errs) > 0 {
		t.Fatalf("errors reported on a quiet pair: %v", errs)
	}
}

func TestMaxConnsRefusesOverLimit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := netchan.NewSecret()
	addr, _, lr, log := listenLogged[int](t, ctx, netchan.WithSecret(secret), netchan.WithMaxConns(2))
	dial := func(ctx context.Context) (chan<- int, error) {
		ds, _, err := netchan.Dial[int](ctx, addr, netchan.WithSecret(secret))
		return ds, err
	}
	ctx1, cancel1 := context.WithCancel(ctx)
	defer cancel1()
	d1, err := dial(ctx1)
	if err != nil {
		t.Fatalf("first Dial: %v", err)
	}
	d2, err := dial(ctx)
	if err != nil {
		t.Fatalf("second Dial: %v", err)
	}
	if _, err := dial(ctx); !errors.Is(err, netchan.ErrLimit) {
		t.Fatalf("third Dial: %v; want ErrLimit", err)
	}
	reported(t, log, "the refusal to reach OnError", netchan.ErrLimit)
	for i, d := range []chan<- int{d1, d2} {
		testkit.Send(t, d, i)
		if v, _ := testkit.Recv(t, lr); v != i {
			t.Fatalf("listener got %d from client %d", v, i)
		}
	}
	cancel1()
	var d3 chan<- int
	testkit.Eventually(t, "a Dial to succeed once a connection closed", func() bool {
		d3, err = dial(ctx)
		return err == nil
	})
	testkit.Send(t, d3, 3)
	if v, _ := testkit.Recv(t, lr); v != 3 {
		t.Fatalf("listener got %d from the new client", v)
	}
}

// One stream per connection: a frame for any other is a protocol error.
func TestFrameForAnotherStreamCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, ls, lr, log := listenLogged[int](t, ctx, netchan.Insecure())
	p := testkit.DialPeer(t, addr, testkit.PeerHello())
	value, err := codec.CBOR().Marshal(5)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(testkit.DataFrame(2, 0, value)); err != nil {
		t.Fatal(err)
	}
	wantGoAway(t, p, wire.CodeProtocol)
	reported(t, log, "ErrProtocol to reach OnError", netchan.ErrProtocol)
	honestExchange(t, addr, ls, lr, 1, 2, netchan.Insecure())
}

// rawConn is a plain TCP connection that speaks no protocol at all.
type rawConn struct{ net.Conn }

// ended reads until the other end closes, and reports whether it did
// within Patience.
func (c *rawConn) ended() bool {
	_ = c.SetReadDeadline(time.Now().Add(testkit.Patience))
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			return !isTimeout(err)
		}
	}
}

// A peer that stays within its credit in values but not in bytes is cut
// off before this end holds more than the byte budget of values its
// program has not received.
func TestPeerBeyondTheByteBudget(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Nobody receives: every value that arrives stays held.
	addr, _, _, log := listenLogged[[]byte](t, ctx, netchan.Insecure(), netchan.WithBuffer(1000))
	h := testkit.PeerHello()
	h.Capacity = 1000
	p := testkit.DialPeer(t, addr, h)
	value, err := codec.CBOR().Marshal(make([]byte, netchan.DefaultMaxMessageSize-16))
	if err != nil {
		t.Fatal(err)
	}
	within := nsync.MinBudget / len(value) // values that fit the budget
	if within >= 1000 {
		t.Fatalf("%d values fit the budget; the test needs fewer than the window", within)
	}
	for seq := range within {
		if err := p.Write(testkit.DataFrame(1, uint64(seq), value)); err != nil {
			t.Fatalf("value %d of %d within the budget: %v; the listener reported %v", seq, within, err, log.all())
		}
	}
	// The listener refuses this frame from its header and ends the
	// connection with the payload unread, so the write may fail and the
	// goaway may be lost to a reset: the report is what tells.
	_ = p.Write(testkit.DataFrame(1, uint64(within), value))
	err = reported(t, log, "ErrProtocol to reach OnError", netchan.ErrProtocol)
	// Refused at the first value beyond the budget, with every value
	// before it held.
	if held := fmt.Sprintf("%d bytes held", within*len(value)); !strings.Contains(err.Error(), held) || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("reported %v; want the byte budget exceeded with %s", err, held)
	}
}
