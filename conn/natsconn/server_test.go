package natsconn_test

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/netchan/netchan/internal/testkit"
)

// startServer runs a NATS server on a free loopback port for the test,
// shaped by the given changes to its options.
func startServer(tb testing.TB, shape ...func(*server.Options)) *server.Server {
	tb.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
	for _, f := range shape {
		f(opts)
	}
	s, err := server.NewServer(opts)
	if err != nil {
		tb.Fatal(err)
	}
	s.Start()
	tb.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(testkit.Patience) {
		tb.Fatalf("the NATS server was not ready within %v", testkit.Patience)
	}
	return s
}

// withTLS makes a server require TLS of its clients, with cfg's certificate.
func withTLS(cfg *tls.Config) func(*server.Options) {
	return func(o *server.Options) {
		o.TLS = true
		o.TLSConfig = cfg.Clone()
		o.TLSConfig.MinVersion = tls.VersionTLS13
		o.TLSTimeout = testkit.Patience.Seconds()
	}
}

// startCluster runs n NATS servers routed to one another on loopback and
// waits until each has a route to every other.
func startCluster(tb testing.TB, n int) []*server.Server {
	tb.Helper()
	cluster := func(o *server.Options) {
		o.ServerName = fmt.Sprintf("node%d", len(o.Routes))
		o.Cluster = server.ClusterOpts{Name: "natsconn-test", Host: "127.0.0.1", Port: -1}
	}
	seed := startServer(tb, cluster)
	route, err := url.Parse(fmt.Sprintf("nats-route://%s", seed.ClusterAddr()))
	if err != nil {
		tb.Fatal(err)
	}
	servers := []*server.Server{seed}
	for i := 1; i < n; i++ {
		servers = append(servers, startServer(tb, cluster, func(o *server.Options) {
			o.ServerName = fmt.Sprintf("node%d", i)
			o.Routes = []*url.URL{route}
		}))
	}
	testkit.Eventually(tb, "the cluster's routes", func() bool {
		for _, s := range servers {
			if s.NumRemotes() != n-1 {
				return false
			}
		}
		return true
	})
	return servers
}

// connect connects to url for the test, with no reconnect attempts unless
// opts say otherwise.
func connect(tb testing.TB, url string, opts ...nats.Option) *nats.Conn {
	tb.Helper()
	quiet := nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}) // not nats.go's print to stderr
	opts = append([]nats.Option{nats.Name(tb.Name()), nats.Timeout(testkit.Patience), quiet}, opts...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// interest waits until s knows of a subscriber to subject, as a server in
// a cluster learns of subscriptions on the others a moment later.
func interest(tb testing.TB, s *server.Server, subject string) {
	tb.Helper()
	testkit.Eventually(tb, "interest in "+subject, func() bool {
		return s.GlobalAccount().SubscriptionInterest(subject)
	})
}

// patience bounds what a test waits for.
const patience = testkit.Patience
