package main

import (
	"bytes"
	"strings"
	"testing"
)

// The memory figures of one process with both ends differ from those of a
// clients process by far; the summary says which it printed.
func TestMemoryLineSaysWhatItHolds(t *testing.T) {
	for role, want := range map[string]string{
		roleAll:     "both ends of each connection, the listener, and the server's tally",
		roleClients: "a client's end of its connection alone",
	} {
		sum := &summary{Settings: &config{Role: role, Clients: 2}, MemPerConnBytes: 2048, MemAfterTrafficBytes: 1024}
		var out bytes.Buffer
		if err := sum.write(&out, false); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		if !strings.Contains(text, "2.0 KiB once connected, before echoing; 1.0 KiB idle after traffic") || !strings.Contains(text, want) {
			t.Errorf("-role %s prints:\n%s\nwant the figures and %q", role, text, want)
		}
	}
}
