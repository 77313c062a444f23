package main

import (
	"crypto/tls"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/certs"
	"github.com/netchan/netchan/stats"
)

// endOptions are the netchan options of the two ends of a run, and the
// stats of each end's connections, which the options gather.
type endOptions struct {
	server, client           []netchan.Option
	serverConns, clientConns *stats.Set
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
	e := endOptions{serverConns: &stats.Set{}, clientConns: &stats.Set{}}
	e.server = append(append([]netchan.Option{}, common...), srv, gather(e.serverConns))
	e.client = append(append([]netchan.Option{}, common...), cli, gather(e.clientConns))
	return e, nil
}

// gather is the option that adds each connection to set.
func gather(set *stats.Set) netchan.Option {
	return netchan.OnConnect(func(c *netchan.Conn) { set.Add(c) })
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
