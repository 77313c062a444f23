package netchan_test

import (
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/options"
	"github.com/netchan/netchan/internal/wire"
)

// The root's constants are written as values for go doc, while netchan
// applies those of internal/options: a change to one must reach the other.
func TestConstantsAgreeWithSettings(t *testing.T) {
	for _, c := range []struct {
		name           string
		root, settings any
	}{
		{"DefaultBuffer", netchan.DefaultBuffer, options.DefaultBuffer},
		{"MaxBuffer", netchan.MaxBuffer, options.MaxBuffer},
		{"MaxBuffer and the wire's capacity", netchan.MaxBuffer, wire.MaxCapacity},
		{"DefaultMaxMessageSize", netchan.DefaultMaxMessageSize, options.DefaultMaxMessageSize},
		{"DefaultHandshakeTimeout", netchan.DefaultHandshakeTimeout, options.DefaultHandshakeTimeout},
		{"DefaultIdleTimeout", netchan.DefaultIdleTimeout, options.DefaultIdleTimeout},
		{"MinSecretLength", netchan.MinSecretLength, options.MinSecretLen},
		{"DefaultResumeWindow", netchan.DefaultResumeWindow, options.DefaultResumeWindow},
		{"MaxResumeWindow", netchan.MaxResumeWindow, options.MaxResumeWindow},
		{"DefaultMaxStreams", netchan.DefaultMaxStreams, options.DefaultMaxStreams},
		{"DefaultMaxBrokenSessions", netchan.DefaultMaxBrokenSessions, options.DefaultMaxDetached},
		{"DefaultStallTimeout", netchan.DefaultStallTimeout, options.DefaultStallTimeout},
		{"MinStallTimeout", netchan.MinStallTimeout, options.MinStallTimeout},
	} {
		if c.root != c.settings {
			t.Errorf("%s: the root says %v (%T), the settings %v (%T)", c.name, c.root, c.root, c.settings, c.settings)
		}
	}
}

// The session options take the whole of their documented ranges, and
// nothing beyond: a resume window of 0 (resume off) to MaxResumeWindow,
// at least one stream, at least one broken session kept.
func TestSessionOptionRanges(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second, netchan.MaxResumeWindow} {
		s, err := options.Resolve([]options.Option{netchan.WithResumeWindow(d)})
		if err != nil || s.ResumeWindow != d {
			t.Errorf("WithResumeWindow(%v): %v, window %v", d, err, s.ResumeWindow)
		}
	}
	for name, opt := range map[string]netchan.Option{
		"negative resume window":  netchan.WithResumeWindow(-time.Nanosecond),
		"resume window over 24 h": netchan.WithResumeWindow(netchan.MaxResumeWindow + time.Nanosecond),
		"no streams":              netchan.WithMaxStreams(0),
		"no broken sessions kept": netchan.WithMaxBrokenSessions(0),
	} {
		if _, err := options.Resolve([]options.Option{opt}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
