package codectest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/netchan/netchan/codec"
)

// concurrent uses the codec as netchan does at once: the codec value from
// every connection's goroutines, and each session's encoder and decoder
// from a connection's sending and receiving goroutines.
func (k *kit) concurrent(t *testing.T) {
	var vals []Shape
	for _, v := range sampleShapes() {
		if k.claims.refusal(v) == "" {
			vals = append(vals, v)
		}
	}
	const workers, rounds = 4, 25
	errs := make(chan error, 2*workers+2)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			p := newPair(k.c)
			for i := range rounds {
				v := vals[i%len(vals)]
				if err := k.sendOnce(k.c, k.c, v); err != nil {
					errs <- fmt.Errorf("through Marshal and Unmarshal: %w", err)
					return
				}
				if err := k.sendOnce(p.send, p.recv, v); err != nil {
					errs <- fmt.Errorf("a session: %w", err)
					return
				}
			}
		})
	}

	// One session decodes what its peer sent while it encodes.
	local, peer := codec.ForConnection(k.c), codec.ForConnection(k.c)
	var in [][]byte
	for i := range rounds {
		frame, err := encodeAs(peer, nil, &vals[i%len(vals)])
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, frame)
	}
	out := make([][]byte, rounds)
	wg.Go(func() {
		for i := range rounds {
			frame, err := encodeAs(local, nil, &vals[i%len(vals)])
			if err != nil {
				errs <- fmt.Errorf("a session encoding while it decodes: %w", err)
				return
			}
			out[i] = frame
		}
	})
	wg.Go(func() {
		for i, frame := range in {
			if err := k.check(vals[i%len(vals)], local, frame); err != nil {
				errs <- fmt.Errorf("a session decoding while it encodes: %w", err)
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i, frame := range out {
		if err := k.check(vals[i%len(vals)], peer, frame); err != nil {
			t.Fatalf("what a session encoded while it decoded: %v", err)
		}
	}
}

// sendOnce encodes v with send and decodes it with recv.
func (k *kit) sendOnce(send, recv codec.Codec, v Shape) error {
	frame, err := encodeAs(send, nil, &v)
	if err != nil {
		return err
	}
	return k.check(v, recv, frame)
}

// check decodes frame with recv and compares it with v.
func (k *kit) check(v Shape, recv codec.Codec, frame []byte) error {
	got, err := decodeAs[Shape](recv, frame)
	if err != nil {
		return err
	}
	if d := diffOf(k.claims, v, got); d != "" {
		return fmt.Errorf("value %d changed: %s", v.Seq, d)
	}
	return nil
}

// dataNotKept overwrites a frame after decoding it: netchan reuses its
// read buffer, so nothing decoded may point into it.
func (k *kit) dataNotKept(t *testing.T) {
	for _, v := range sampleShapes() {
		if k.claims.refusal(v) != "" {
			continue
		}
		p := newPair(k.c)
		frame, err := encodeAs(p.send, nil, &v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeAs[Shape](p.recv, frame)
		if err != nil {
			t.Fatal(err)
		}
		for i := range frame {
			frame[i] = 0xAA
		}
		if d := diffOf(k.claims, v, got); d != "" {
			t.Fatalf("a decoded value changed when its frame was overwritten: %s", d)
		}
	}
}
