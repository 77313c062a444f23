// Package quickstart_test runs the README's quick start: its two programs,
// the server and several clients, each in a process of its own.
package quickstart_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/netchan/netchan/internal/testkit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The README shows each program from its func main on, as the files hold
// it, so that what a user reads is what this package runs.
func TestReadmeShowsThePrograms(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, prog := range []string{"server", "client"} {
		src, err := os.ReadFile(filepath.Join(prog, "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		body := string(src[strings.Index(string(src), "func main() {"):])
		if !strings.Contains(string(readme), "```go\n"+body+"```\n") {
			t.Errorf("README.md does not show %s/main.go from func main on, as a go block", prog)
		}
	}
}

// Several clients at once each get the replies to their own words, in
// order, and end cleanly: with typed and a goroutine per client, no reply
// goes to another client.
func TestQuickStart(t *testing.T) {
	bin := testkit.Build(t, "./server", "./client")
	server := testkit.Start(t, nil, filepath.Join(bin, "server"), "-addr", "127.0.0.1:0")
	addr := server.Match(t, regexp.MustCompile(`^listening on (\S+)$`))[1]
	secret := server.Match(t, regexp.MustCompile(`^export (NETCHAN_SECRET=\S+)$`))[1]

	const clients = 3
	var running []*testkit.Process
	for c := range clients {
		words := []string{fmt.Sprintf("hello-%d", c), "from", fmt.Sprintf("client-%d", c)}
		running = append(running, testkit.Start(t, []string{secret}, filepath.Join(bin, "client"), append([]string{"-addr", addr}, words...)...))
	}
	for c, p := range running {
		out, err := p.Wait(t)
		want := []string{fmt.Sprintf("HELLO-%d", c), "FROM", fmt.Sprintf("CLIENT-%d", c)}
		if err != nil || !slices.Equal(out, want) || p.Stderr() != "" {
			t.Errorf("client %d printed %q, exited with %v and wrote to stderr %q; want %q, success and no warning", c, out, err, p.Stderr(), want)
		}
	}
}
