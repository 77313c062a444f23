package msgpack_test

import (
	"testing"

	"github.com/netchan/netchan/codec/codectest"
	"github.com/netchan/netchan/codec/msgpack"
)

// FuzzUnmarshal feeds the decoder what a broken or hostile peer might
// send: no input may make it panic, and what decodes must encode again to
// the same value.
func FuzzUnmarshal(f *testing.F) {
	c := msgpack.Codec()
	for _, seed := range codectest.Seeds(c) {
		f.Add(seed)
	}
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x91, 0x91, 0x91, 0xc0})
	f.Fuzz(func(t *testing.T, data []byte) {
		codectest.FuzzUnmarshal(t, c, data, claims()...)
	})
}
