package natsconn_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/netchan/netchan/conn/natsconn"
	"github.com/netchan/netchan/internal/testkit"
)

// A writer whose peer reads nothing sends one window and waits; each
// quarter of a window read lets it send a quarter more.
func TestWindowHoldsAFastWriter(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	_, d, a := rawPair(t, nc, nc, "window")
	const chunk = 1 << 10
	var written atomic.Int64
	writerDone := make(chan error, 1)
	go func() {
		b := make([]byte, chunk)
		for i := 0; ; i++ {
			b[0] = byte(i)
			n, err := d.Write(b)
			written.Add(int64(n))
			if err != nil {
				writerDone <- err
				return
			}
		}
	}()
	testkit.Eventually(t, "a window to be written", func() bool { return written.Load() >= natsconn.Window })
	// Had the window been larger, the writer would have gone on at the
	// pace it filled this one.
	time.Sleep(testkit.Settle)
	if n := written.Load(); n != natsconn.Window {
		t.Fatalf("%d bytes written to a peer that read nothing; the window is %d", n, natsconn.Window)
	}
	buf := make([]byte, natsconn.Window/4)
	if _, err := readFull(a, buf); err != nil {
		t.Fatal(err)
	}
	for i := range len(buf) / chunk {
		if buf[i*chunk] != byte(i) {
			t.Fatalf("chunk %d arrived as chunk %d", i, buf[i*chunk])
		}
	}
	testkit.Eventually(t, "a quarter window more to be written", func() bool { return written.Load() >= natsconn.Window*5/4 })
	time.Sleep(testkit.Settle)
	if n := written.Load(); n != natsconn.Window*5/4 {
		t.Fatalf("%d bytes written after a quarter window was read; want %d", n, natsconn.Window*5/4)
	}
	_ = a.Close()
	select {
	case err := <-writerDone:
		if err == nil {
			t.Fatal("the writer stopped without an error")
		}
	case <-time.After(patience):
		t.Fatal("the writer still waits after its peer closed")
	}
}

// A server that takes small messages gets writes cut to its size, for
// raw connections and for netchan's values over TLS: nats.go refuses to
// publish a larger message, which would break the connection.
func TestWritesSplitToMaxPayload(t *testing.T) {
	const maxPayload = 2 << 10
	s := startServer(t, func(o *server.Options) { o.MaxPayload = maxPayload })
	nc := connect(t, s.ClientURL())
	if nc.MaxPayload() != maxPayload {
		t.Fatalf("the server takes %d bytes, want %d", nc.MaxPayload(), maxPayload)
	}
	_, d, a := rawPair(t, nc, nc, "small")
	want := make([]byte, 1<<20)
	_, _ = rand.Read(want)
	go func() {
		_, _ = d.Write(want)
		_ = d.Close()
	}()
	got, err := io.ReadAll(a)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, %v; want the %d written", len(got), err, len(want))
	}

	tr := trusts(t)[0]
	p := dialPair[[]byte](t, nc, nc, "small-values", tr.listen, tr.dialer)
	for i := range 20 {
		v := bytes.Repeat([]byte{byte(i)}, 64<<10)
		testkit.Send(t, p.ds, v)
		if got, _ := testkit.Recv(t, p.lr); !bytes.Equal(got, v) {
			t.Fatalf("value %d arrived changed", i)
		}
	}
}
