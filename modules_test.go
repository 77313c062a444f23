package netchan_test

import (
	"regexp"
	"strings"
	"testing"
)

// The modules nested in this repository build against the tree around
// them, and require a version of this module that a user's build can
// fetch, which ignores replace lines: a pseudo-version of a commit, not
// the placeholder a replace alone leaves.
func TestNestedModulesRequireRealVersion(t *testing.T) {
	version := regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/netchan/netchan (v\S+)`)
	for _, mod := range []string{"conn/natsconn/go.mod", "codec/msgpack/go.mod"} {
		text := readFile(t, mod)
		if !strings.Contains(text, "\nreplace github.com/netchan/netchan => ../..\n") {
			t.Errorf("%s does not build against this tree: no replace by ../..", mod)
		}
		m := version.FindStringSubmatch(text)
		switch {
		case m == nil:
			t.Errorf("%s does not require github.com/netchan/netchan", mod)
		case strings.HasPrefix(m[1], "v0.0.0-00010101000000-"):
			t.Errorf("%s requires github.com/netchan/netchan %s, a placeholder no build outside this tree can fetch", mod, m[1])
		}
	}
}
