package conn

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// Abort ends the session with the error a layer above found, and the peer
// learns its kind.
func TestAbortTellsThePeer(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	why := fmt.Errorf("%w: a value the codec refuses", ErrTooLarge)
	p.a.Abort(why)
	if err := ended(t, p.a); !errors.Is(err, why) {
		t.Errorf("the aborted session ended with %v", err)
	}
	err := ended(t, p.d)
	var g *GoAwayError
	if !errors.As(err, &g) || !errors.Is(err, ErrLimit) {
		t.Errorf("the peer ended with %v, want a GoAwayError that wraps ErrLimit", err)
	}
}

// Accept returns its context's cause, and the session's error once it
// ended.
func TestAcceptEnds(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("no more")
	cancel(cause)
	if _, err := p.a.Accept(ctx); !errors.Is(err, cause) {
		t.Errorf("Accept with its context ended: %v", err)
	}
	_ = p.d.Close()
	_ = ended(t, p.a)
	if _, err := p.a.Accept(patience(t)); !errors.Is(err, ErrPeerClosed) {
		t.Errorf("Accept after the session ended: %v", err)
	}
}
