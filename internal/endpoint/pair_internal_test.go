package endpoint

import (
	"context"
	"testing"

	"github.com/netchan/netchan/internal/options"
	"github.com/netchan/netchan/internal/testkit"
)

// insidePair returns both ends of one plaintext loopback connection, for
// the tests that look inside a Conn; the test's cleanup closes them.
func insidePair[T any](t *testing.T, ctx context.Context) (listener, dialer *Conn[T]) {
	t.Helper()
	ln := testkit.Loopback(t)
	l, err := ListenWith[T](ctx, "", options.New(func(s *options.Settings) { s.Insecure, s.Listener = true, ln }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	d, err := DialWith[T](ctx, ln.Addr().String(), options.New(func(s *options.Settings) { s.Insecure = true }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	c, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, d
}
