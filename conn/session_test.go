package conn

import (
	"bytes"

	"fmt"
	"testing"

	"golang.org/x/sync/errgroup"
)

// Values large enough that what waits to be written exceeds one batch,
// both ways at once, so that acks go out between batches: a frame must
// never be split around them.
func TestLargeValuesBothWays(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 64
	cfg.MaxValue = 16 << 10
	p := connect(t, cfg, cfg, nil)
	ctx := patience(t)
	const n = 300
	value := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 9000+i) }
	send := func(st *Stream) error {
		for i := range n {
			if err := st.Reserve(ctx); err != nil {
				return err
			}
			if _, err := st.Send(value(i)); err != nil {
				return err
			}
		}
		return nil
	}
	recv := func(st *Stream) error {
		for i := range n {
			m, err := st.Next(ctx)
			if err != nil {
				return fmt.Errorf("value %d: %w", i, err)
			}
			ok := bytes.Equal(m.Value, value(i))
			m.Release()
			st.Take()
			if !ok {
				return fmt.Errorf("value %d arrived changed", i)
			}
		}
		return nil
	}
	var g errgroup.Group
	g.Go(func() error { return send(p.d.Main()) })
	g.Go(func() error { return send(p.a.Main()) })
	g.Go(func() error { return recv(p.a.Main()) })
	g.Go(func() error { return recv(p.d.Main()) })
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}
