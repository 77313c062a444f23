package netchan_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's first block holds the main job and then the tests, the
// tests as .ci/run runs them, word for word.
func TestReadmeCommands(t *testing.T) {
	readme := readFile(t, "README.md")
	start := strings.Index(readme, "```")
	if start < 0 || !strings.HasPrefix(readme[start:], "```sh\n") {
		t.Fatal("README.md's first fenced block is not an sh block")
	}
	block := readme[start+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]
	var cmds []string
	for line := range strings.Lines(block) {
		cmd, _, _ := strings.Cut(line, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if len(cmds) != 2 || !strings.HasPrefix(cmds[0], "go run ./cmd/netchan-bench") {
		t.Fatalf("README.md's first block runs %q; want the benchmark, then the tests", cmds)
	}
	if ci := readFile(t, ".ci/run"); !strings.Contains(ci, "\n"+cmds[1]+"\n") {
		t.Errorf("README.md's test command %q is not a line of .ci/run", cmds[1])
	}
	if !strings.Contains(readme, "go get github.com/netchan/netchan") {
		t.Error("README.md has no go get line")
	}
}

// Every relative link of the README and of docs/ names a file that exists.
func TestDocLinks(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)\s#:]+)\)`)
	for _, doc := range []struct{ file, dir string }{
		{"README.md", ""}, {"docs/performance.md", "docs/"}, {"docs/testing.md", "docs/"},
	} {
		for _, m := range link.FindAllStringSubmatch(readFile(t, doc.file), -1) {
			if _, err := os.Stat(doc.dir + m[1]); err != nil {
				t.Errorf("%s links to %s: %v", doc.file, m[1], err)
			}
		}
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
