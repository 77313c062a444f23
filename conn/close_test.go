package conn

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// An end that closes its session tells the peer, which ends at once with
// ErrPeerClosed rather than wait out the resume window as after a cut:
// whichever end closes, with values in flight or none.
func TestCloseTellsThePeer(t *testing.T) {
	cfg := testConfig()
	cfg.ResumeWindow = 24 * time.Hour
	for _, closer := range []string{"dialer", "listener"} {
		for _, inFlight := range []int{0, 1, 50} {
			t.Run(fmt.Sprintf("%s/%d in flight", closer, inFlight), func(t *testing.T) {
				for range 10 {
					p := connect(t, cfg, cfg, nil)
					from, to := p.d, p.a
					if closer == "listener" {
						from, to = p.a, p.d
					}
					ctx := patience(t)
					go func() { _ = sendInts(ctx, to.Main(), 0, inFlight) }()
					if err := sendInts(ctx, from.Main(), 0, min(inFlight, 2)); err != nil {
						t.Fatal(err)
					}
					_ = from.Close()
					if err := ended(t, to); !errors.Is(err, ErrPeerClosed) {
						t.Fatalf("the peer of a session closed ended with %v", err)
					}
					if r := to.Resumes(); r != 0 {
						t.Fatalf("%d resumes", r)
					}
					_ = to.Close()
					_ = p.l.Close()
				}
			})
		}
	}
}

// Close is idempotent, and every call waits for the end.
func TestCloseIdempotent(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	done := make(chan struct{})
	for range 3 {
		go func() {
			_ = p.d.Close()
			select {
			case <-p.d.Done():
			default:
				t.Error("Close returned before the session's end")
			}
			done <- struct{}{}
		}()
	}
	for range 3 {
		testkit.Recv(t, done)
	}
	if err := p.d.Err(); err != ErrClosed {
		t.Fatalf("Err after Close: %v", err)
	}
}
