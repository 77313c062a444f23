package main

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/netchan/netchan"
)

// TestArgumentErrors checks that arguments that cannot make a run are
// refused with status 2 and a message that names the problem, before
// anything is dialed or listened on.
func TestArgumentErrors(t *testing.T) {
	secret := netchan.NewSecret()
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, "no mode"},
		{[]string{"serve", "-insecure", ":1"}, nil, `"serve"`},
		{[]string{"dial", "-insecure"}, nil, "needs an address"},
		{[]string{"dial", "-insecure", "a:1", "b:2"}, nil, "unexpected arguments"},
		{[]string{"dial", "-nope", "a:1"}, nil, "-nope"},
		{[]string{"dial", "a:1"}, nil, "choose how to secure"},
		{[]string{"dial", "-insecure", "-secret", secret, "a:1"}, nil, "-insecure excludes"},
		{[]string{"dial", "-insecure", "-tls-ca", "ca.pem", "a:1"}, nil, "-insecure excludes"},
		{[]string{"dial", "-secret", "new", "a:1"}, nil, "-secret new is for a listener"},
		{[]string{"dial", "-secret", "short", "a:1"}, nil, "-secret: a secret of 5 bytes"},
		{[]string{"dial", "a:1"}, map[string]string{secretEnv: "short"}, "$NETCHAN_SECRET: a secret of 5 bytes"},
		{[]string{"listen", ":0"}, map[string]string{secretEnv: "new"}, "$NETCHAN_SECRET: a secret of 3 bytes"},
		{[]string{"dial", "-tls-cert", "c.pem", "a:1"}, nil, "go together"},
		{[]string{"listen", "-tls-ca", "ca.pem", ":0"}, nil, "needs -tls-cert"},
		{[]string{"listen", "-insecure", "-sync", "-buffer", "4", ":0"}, nil, "give one"},
		{[]string{"listen", "-insecure", "-buffer", "-1", ":0"}, nil, "-buffer -1"},
		{[]string{"dial", "-insecure", "-codec", "gob", "a:1"}, nil, "gob cannot carry"},
		{[]string{"dial", "-insecure", "-keep", "a:1"}, nil, "-keep is for"},
	} {
		err := run(context.Background(), c.args, stdio{getenv: func(name string) string { return c.env[name] }})
		var out strings.Builder
		if code := exitCode(err, &out); code != 2 || !strings.Contains(out.String(), c.want) {
			t.Errorf("%q: exit %d, %q; want 2 and a message with %q", c.args, code, out.String(), c.want)
		}
	}
}

// TestArgumentsAfterAddress checks that flags may follow the address, as
// one types them when adding a flag to the last command.
func TestArgumentsAfterAddress(t *testing.T) {
	cfg, err := parseArgs([]string{"dial", "-codec", "json", "h:1", "-sync", "-insecure"}, func(string) string { return "" })
	if err != nil || cfg.addr != "h:1" || cfg.codec != "json" || !cfg.sync || cfg.buffer != 0 || !cfg.trust.insecure {
		t.Fatalf("got %+v, %v", cfg, err)
	}
}

// TestEnvSecretIsDefault checks that $NETCHAN_SECRET is -secret's
// default: a flag overrides it, and -insecure ignores it.
func TestEnvSecretIsDefault(t *testing.T) {
	env, flagSecret := netchan.NewSecret(), netchan.NewSecret()
	getenv := func(string) string { return env }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"dial", "h:1"}, env},
		{[]string{"dial", "-secret", flagSecret, "h:1"}, flagSecret},
		{[]string{"dial", "-insecure", "h:1"}, ""},
	} {
		cfg, err := parseArgs(c.args, getenv)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
		} else if cfg.trust.secret != c.want {
			t.Errorf("%q: secret %q, want %q", c.args, cfg.trust.secret, c.want)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"listen", "-h"}, {"dial", "-help"}} {
		var stderr strings.Builder
		err := run(context.Background(), args, stdio{stderr: &stderr, getenv: func(string) string { return "" }})
		if !errors.Is(err, flag.ErrHelp) || exitCode(err, new(strings.Builder)) != 0 {
			t.Fatalf("%q: %v, want help and status 0", args, err)
		}
		help := stderr.String()
		for _, want := range []string{"Usage:", "netchan listen", "netchan dial", "Examples:", "NETCHAN_SECRET", "one client", "-tls-ca", "-sync", "Exit status"} {
			if !strings.Contains(help, want) {
				t.Fatalf("%q: the help does not mention %q:\n%s", args, want, help)
			}
		}
	}
}
