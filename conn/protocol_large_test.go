package conn

import (
	"runtime"
	"strings"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
	nsync "github.com/netchan/netchan/sync"
)

// A frame is refused from its header when its payload could not be
// accepted: nothing of its size is allocated, and the session does not
// wait for a payload the peer never sends.
func TestRefusedFromTheHeader(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxValue int
		capacity int
		before   []byte // frames that leave room for no more
		header   []byte
		want     []error
	}{
		{"4 GiB", 1024, 2, nil, header(wire.KindData, MainStream, 0xFFFFFFFF), []error{ErrTooLarge}},
		{"4 GiB with the largest MaxValue", MaxValueLimit, 2, nil, header(wire.KindData, MainStream, 0xFFFFFFFF), []error{ErrTooLarge}},
		{"beyond the window", 16 << 10, 2,
			append(dataFrame(MainStream, 0, strings.Repeat("a", 5000)), dataFrame(MainStream, 1, strings.Repeat("b", 5000))...),
			header(wire.KindData, MainStream, 5001), []error{ErrProtocol, nsync.ErrOverrun}},
		{"for a stream never opened", 16 << 10, 2, nil, header(wire.KindData, 7, 5001), []error{ErrProtocol}},
		{"after close", 16 << 10, 2, countFrame(wire.KindClose, MainStream, 0), header(wire.KindData, MainStream, 5001), []error{ErrProtocol, nsync.ErrAfterClose}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxValue, cfg.Capacity = tc.maxValue, tc.capacity
			s, p, _ := rawDialer(t, cfg, cfg, nil)
			bye := p.drain()
			p.write(tc.before)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			// The peer does not hang up: the header alone must end the
			// session.
			p.write(tc.header)
			wantErr(t, tc.name, ended(t, s), tc.want...)
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
				t.Errorf("refusing the header allocated %d bytes", grew)
			}
			<-bye
		})
	}
}

// Values are bounded in bytes too: a header that would take the values
// held beyond the byte budget is refused before its payload is read.
func TestByteBudgetFromTheHeader(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 32 MiB")
	}
	const m = nsync.MinBudget / 2 // the budget is 2m: two values of m bytes
	cfg := testConfig()
	cfg.MaxValue, cfg.Capacity = m, 4
	s, p, _ := rawDialer(t, cfg, cfg, nil)
	bye := p.drain()
	p.write(dataFrame(MainStream, 0, strings.Repeat("a", m)), dataFrame(MainStream, 1, "b"))
	testkit.Eventually(t, "both values in", func() bool { return s.Main().Inbox().Len() == 2 })
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	// A frame of that length holds a value of at least m bytes, whatever
	// its sequence number's length: with the 1 byte held, and the m, one
	// more than the budget.
	p.write(header(wire.KindData, MainStream, uint32(m+maxPrefix)))
	wantErr(t, "over the budget", ended(t, s), ErrProtocol, nsync.ErrOverrun)
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > m/2 {
		t.Errorf("refusing the header allocated %d bytes", grew)
	}
	<-bye
}

// The budget counts the bytes held, not those sent: once the program took
// the first value, one of the largest size fits again.
func TestByteBudgetWithinIt(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 64 MiB")
	}
	const m = nsync.MinBudget / 2
	cfg := testConfig()
	cfg.MaxValue, cfg.Capacity = m, 4
	s, p, _ := rawDialer(t, cfg, cfg, nil)
	ctx := patience(t)
	p.write(dataFrame(MainStream, 0, strings.Repeat("a", m)), dataFrame(MainStream, 1, "b"))
	// The first value taken frees its bytes: the largest fits again.
	msg, err := s.Main().Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	msg.Release()
	s.Main().Take()
	p.write(dataFrame(MainStream, 2, strings.Repeat("c", m)))
	for range 2 {
		msg, err := s.Main().Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msg.Release()
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
}
