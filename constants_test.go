package netchan_test

import (
	"testing"

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
	} {
		if c.root != c.settings {
			t.Errorf("%s: the root says %v (%T), the settings %v (%T)", c.name, c.root, c.root, c.settings, c.settings)
		}
	}
}
