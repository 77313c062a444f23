package codec_test

import (
	"testing"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/codec/codectest"
)

func shipped() []codec.Codec { return []codec.Codec{codec.CBOR(), codec.Gob(), codec.JSON()} }

// TestKit runs the conformance kit on every shipped codec, with the claims
// its documentation makes.
func TestKit(t *testing.T) {
	for _, c := range shipped() {
		t.Run(c.Name(), func(t *testing.T) { codectest.Run(t, c, codectest.Claims(c)...) })
	}
}

// TestKitNetwork runs netchan's end-to-end properties with every shipped
// codec.
func TestKitNetwork(t *testing.T) {
	for _, c := range shipped() {
		t.Run(c.Name(), func(t *testing.T) { codectest.RunNetwork(t, c, codectest.Claims(c)...) })
	}
}
