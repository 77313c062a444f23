package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/netchan/netchan"
)

// secretEnv is the environment variable -secret defaults to: unlike an
// argument, it is not shown to every user of the machine by ps.
const secretEnv = "NETCHAN_SECRET"

// newSecret is the -secret value that makes a listener make a secret.
const newSecret = "new"

// trustFlags are the flags that choose how connections are secured.
type trustFlags struct {
	secret   string
	insecure bool
	cert     string
	key      string
	ca       string

	secretFrom string // where the secret came from, for messages
	made       bool   // the secret was made by this run, to be shown
}

// register defines the trust flags on fs.
func (t *trustFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.secret, "secret", "", "authenticate both ends by a shared `secret` (netchan.WithSecret); listen: 'new' makes one and prints it (default $"+secretEnv+")")
	fs.BoolVar(&t.insecure, "insecure", false, "plaintext: no encryption, no authentication (netchan.Insecure)")
	fs.StringVar(&t.cert, "tls-cert", "", "TLS certificate chain, PEM `file`: the listener's, or a dialer's for mutual TLS")
	fs.StringVar(&t.key, "tls-key", "", "private key of -tls-cert, PEM `file`")
	fs.StringVar(&t.ca, "tls-ca", "", "CA certificates, PEM `file`: dial: the roots to verify the listener (default the system's); listen: require client certificates from them")
}

// resolve checks the trust flags of mode against each other, takes the
// secret from the environment unless -secret or -insecure is given, and
// makes one for -secret new.
func (t *trustFlags) resolve(mode string, getenv func(string) string) error {
	useTLS := t.cert != "" || t.key != "" || t.ca != ""
	if t.insecure {
		if t.secret != "" || useTLS {
			return errors.New("-insecure excludes -secret and the -tls flags")
		}
		return nil
	}
	if (t.cert == "") != (t.key == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	if mode == modeListen && useTLS && t.cert == "" {
		return errors.New("a TLS listener needs -tls-cert and -tls-key")
	}
	t.secretFrom = "-secret"
	if t.secret == "" {
		t.secret, t.secretFrom = getenv(secretEnv), "$"+secretEnv
	}
	switch {
	case t.secret == newSecret && t.secretFrom == "-secret":
		if mode != modeListen {
			return errors.New("-secret new is for a listener; a dialer needs the listener's secret, best in $" + secretEnv)
		}
		t.secret, t.made = netchan.NewSecret(), true
	case t.secret != "" && len(t.secret) < netchan.MinSecretLength:
		return fmt.Errorf("%s: a secret of %d bytes could be guessed; use at least %d, as `netchan listen -secret new` makes", t.secretFrom, len(t.secret), netchan.MinSecretLength)
	case t.secret == "" && !useTLS:
		return errors.New("choose how to secure the connection: -secret (or $" + secretEnv + "), -tls-cert and -tls-key (listen) or -tls-ca (dial), or -insecure")
	}
	return nil
}

// options returns the netchan options for the resolved flags of mode.
func (t *trustFlags) options(mode string) ([]netchan.Option, error) {
	if t.insecure {
		return []netchan.Option{netchan.Insecure()}, nil
	}
	var opts []netchan.Option
	if t.secret != "" {
		opts = append(opts, netchan.WithSecret(t.secret))
	}
	if t.cert == "" && t.ca == "" {
		return opts, nil
	}
	cfg, err := t.tlsConfig(mode)
	if err != nil {
		return nil, err
	}
	return append(opts, netchan.WithTLS(cfg)), nil
}

// tlsConfig loads the files the -tls flags name.
func (t *trustFlags) tlsConfig(mode string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS13}
	if t.cert != "" {
		cert, err := tls.LoadX509KeyPair(t.cert, t.key)
		if err != nil {
			return nil, fmt.Errorf("-tls-cert %s, -tls-key %s: %w", t.cert, t.key, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if t.ca == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(t.ca)
	if err != nil {
		return nil, fmt.Errorf("-tls-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-tls-ca %s: no PEM certificate in it", t.ca)
	}
	if mode == modeListen {
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, pool
	} else {
		cfg.RootCAs = pool
	}
	return cfg, nil
}
