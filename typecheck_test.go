package netchan_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

type jobV1 struct{ ID int }

// jobV2 is jobV1 with a field added, an evolution the codecs accept.
type jobV2 struct {
	ID   int
	Note string
}

// The handshake catches a type mismatch: a Dial whose T cannot be the
// listener's fails at Dial with ErrTypeMismatch naming both types; a type
// with a field added, and any, connect and carry values.
func TestDialTypeChecked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	ln := testkit.Loopback(t)
	l, err := typed.Listen[jobV1](ctx, "", netchan.WithListener(ln), netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := ln.Addr().String()

	_, _, err = netchan.Dial[string](ctx, addr, netchan.Insecure())
	if !errors.Is(err, netchan.ErrTypeMismatch) || !strings.Contains(err.Error(), "jobV1") || !strings.Contains(err.Error(), "string") {
		t.Fatalf("Dial[string] to a listener of jobV1: %v; want ErrTypeMismatch naming both types", err)
	}

	evolved, err := typed.Dial[jobV2](ctx, addr, netchan.Insecure())
	if err != nil {
		t.Fatalf("Dial of a type with a field added: %v", err)
	}
	defer evolved.Close()
	anything, err := typed.Dial[any](ctx, addr, netchan.Insecure())
	if err != nil {
		t.Fatalf("Dial[any]: %v", err)
	}
	defer anything.Close()
	if err := evolved.Send(ctx, jobV2{ID: 7, Note: "dropped by the listener's type"}); err != nil {
		t.Fatal(err)
	}
	if err := anything.Send(ctx, map[string]any{"ID": 8}); err != nil {
		t.Fatal(err)
	}
	got := map[int]bool{}
	for range 2 {
		c, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		v, err := c.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got[v.ID] = true
	}
	if !got[7] || !got[8] {
		t.Fatalf("the listener received IDs %v; want 7 and 8", got)
	}
}
