package main

import (
	"crypto/tls"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/certs"
)

// endOptions are the netchan options of the two ends of a run.
type endOptions struct {
	server, client []netchan.Option
}

// buildOptions turns the settings into options for each end; onError
// receives what netchan cannot return.
func buildOptions(c *config, onError func(error)) (endOptions, error) {
	cd, err := pickCodec(c.Codec)
	if err != nil {
		return endOptions{}, err
	}
	common := []netchan.Option{netchan.WithCodec(cd), netchan.WithBuffer(c.Buffer), netchan.OnError(onError)}
	srv, cli, err := trustOptions(c)
	if err != nil {
		return endOptions{}, err
	}
	return endOptions{
		server: append(append([]netchan.Option{}, common...), srv),
		client: append(append([]netchan.Option{}, common...), cli),
	}, nil
}

// trustOptions returns the trust option of the server and of the clients.
func trustOptions(c *config) (server, client netchan.Option, err error) {
	switch c.Trust {
	case "insecure":
		return netchan.Insecure(), netchan.Insecure(), nil
	case "secret":
		return netchan.WithSecret(c.secret), netchan.WithSecret(c.secret), nil
	}
	srvCfg, cliCfg, err := memoryTLS()
	if err != nil {
		return server, client, err
	}
	return netchan.WithTLS(srvCfg), netchan.WithTLS(cliCfg), nil
}

// memoryTLS makes a certificate authority in memory, a server certificate
// for loopback, and a client configuration that trusts it.
func memoryTLS() (server, client *tls.Config, err error) {
	ca, err := certs.NewCA("netchan-bench CA")
	if err != nil {
		return nil, nil, err
	}
	cert, err := ca.Server("127.0.0.1", "localhost", "::1")
	if err != nil {
		return nil, nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}, &tls.Config{RootCAs: ca.Pool()}, nil
}
