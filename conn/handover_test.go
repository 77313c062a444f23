package conn

import (
	"errors"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// A value handed to the program as its session starts ending counts as
// taken before the goodbye, which waits for the hand-over: the peer does
// not report undelivered a value the program has.
func TestHandOverCountsBeforeTheGoodbye(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	if err := sendInts(patience(t), p.d.Main(), 0, 1); err != nil {
		t.Fatal(err)
	}
	notTaken := handOverAsItCloses(t, p, func() {
		// The goodbye must wait: were it out, the dialer's session would
		// end on it, and the credit for this value would come too late.
		select {
		case <-p.d.Done():
			t.Error("the goodbye went out during a hand-over")
		case <-time.After(testkit.Settle):
		}
	})
	if notTaken != 0 {
		t.Errorf("the dialer counts %d values not taken, want 0", notTaken)
	}
}

// Once the session is ending, HandOver neither calls put nor counts a value.
func TestHandOverAfterTheEnd(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	_ = p.a.Close()
	called := false
	if p.a.Main().HandOver(func() bool { called = true; return true }) || called {
		t.Errorf("HandOver after the end: put called %v, and a value handed over", called)
	}
}

// The credit of a value handed over as the session starts ending goes
// before the goodbye even when no rule would send it at once: more values
// arrived than the program took, so the take alone leaves it owed, and the
// goodbye collects it once the hand-over ended.
func TestHandOverCreditOwedGoesBeforeTheGoodbye(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 16 // a credit waits for 4 values taken
	p := connect(t, cfg, cfg, nil)
	if err := sendInts(patience(t), p.d.Main(), 0, 3); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the three values arriving", func() bool { return p.a.Main().Inbox().Len() == 3 })
	if notTaken := handOverAsItCloses(t, p, func() {}); notTaken != 2 {
		t.Errorf("the dialer counts %d values not taken, want the 2 not handed over", notTaken)
	}
}

// handOverAsItCloses takes the next value of the accepted session's main
// stream and hands it over as that session closes: put starts the close,
// waits until the session is ending, runs during, and says the program
// has the value. Once the dialer's session ended on the goodbye, it
// returns how many values the dialer counts not taken.
func handOverAsItCloses(t *testing.T, p *pair, during func()) (notTaken int) {
	t.Helper()
	m, err := p.a.Main().Next(patience(t))
	if err != nil {
		t.Fatal(err)
	}
	m.Release()
	closed := make(chan struct{})
	handed := p.a.Main().HandOver(func() bool {
		go func() {
			_ = p.a.Close()
			close(closed)
		}()
		<-p.a.Ending()
		during()
		return true
	})
	<-closed
	if !handed {
		t.Fatal("HandOver reported the value not handed over")
	}
	if err := ended(t, p.d); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("the dialer's session ended with %v, want ErrPeerClosed", err)
	}
	return p.d.Main().Unacknowledged()
}

// A put that panics still ends its hand-over: the session closes, and the
// peer hears its goodbye.
func TestHandOverThatPanicsLetsTheSessionEnd(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	func() {
		defer func() { _ = recover() }()
		p.a.Main().HandOver(func() bool { panic("a program's bug") })
	}()
	within(t, testkit.Patience, "closing after a hand-over panicked", func() error { return p.a.Close() })
	if err := ended(t, p.d); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("the dialer's session ended with %v, want ErrPeerClosed", err)
	}
}
