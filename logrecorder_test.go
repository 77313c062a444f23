package netchan_test

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"slices"
	"sync"
	"testing"
)

// recorder is a slog.Handler that keeps the records it is given. Groups are
// flattened: netchan's records have none.
type recorder struct {
	store *records
	attrs []slog.Attr // from WithAttrs
}

type records struct {
	mu   sync.Mutex
	list []slog.Record
}

func newRecorder() *recorder { return &recorder{store: &records{}} }

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	rec = rec.Clone()
	rec.AddAttrs(r.attrs...)
	r.store.mu.Lock()
	defer r.store.mu.Unlock()
	r.store.list = append(r.store.list, rec)
	return nil
}

func (r *recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &recorder{store: r.store, attrs: append(slices.Clip(r.attrs), as...)}
}

func (r *recorder) WithGroup(string) slog.Handler { return r }

// warnings returns the records at warning level or above.
func (r *recorder) warnings() []slog.Record {
	r.store.mu.Lock()
	defer r.store.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.store.list {
		if rec.Level >= slog.LevelWarn {
			out = append(out, rec)
		}
	}
	return out
}

// errorLogged returns the first warning whose "err" attribute wraps target.
func (r *recorder) errorLogged(target error) (slog.Record, bool) {
	for _, rec := range r.warnings() {
		found := false
		rec.Attrs(func(a slog.Attr) bool {
			err, ok := a.Value.Any().(error)
			found = a.Key == "err" && ok && errors.Is(err, target)
			return !found
		})
		if found {
			return rec, true
		}
	}
	return slog.Record{}, false
}

// defaultTo makes a new recorder slog's default until the test ends.
// slog.SetDefault also routes package log through the new handler, and
// setting the old default back does not undo that, so log's output and
// flags are put back by hand. Records other loggers route that way arrive
// at info level, below what the tests look at: connections resolved before
// the recorder was installed cannot disturb a test.
func defaultTo(t *testing.T) *recorder {
	t.Helper()
	oldDefault, oldOut, oldFlags := slog.Default(), log.Writer(), log.Flags()
	r := newRecorder()
	slog.SetDefault(slog.New(r))
	t.Cleanup(func() {
		slog.SetDefault(oldDefault)
		log.SetOutput(oldOut)
		log.SetFlags(oldFlags)
	})
	return r
}
