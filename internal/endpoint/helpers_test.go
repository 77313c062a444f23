package endpoint_test

import (
	"context"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	t.Cleanup(cancel)
	return ctx
}
