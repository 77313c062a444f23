package codectest

import (
	"bytes"
	"reflect"
	"runtime"
	"testing"

	"pgregory.net/rapid"

	"github.com/netchan/netchan/codec"
)

// malformed checks input the codec's encoder never writes: a peer that is
// broken or hostile sends it.
func (k *kit) malformed(t *testing.T) {
	t.Run("Truncated", k.truncated)
	t.Run("TrailingData", k.trailing)
	t.Run("HostileLengths", k.hostile)
	t.Run("Garbage", func(t *testing.T) {
		rapid.Check(t, func(rt *rapid.T) {
			data := rapid.SliceOfN(rapid.Byte(), 0, 512).Draw(rt, "data")
			decodeStable[Shape](rt, k, data)
			decodeStable[any](rt, k, data)
		})
	})
	t.Run("Mutated", func(t *testing.T) {
		seeds := Seeds(k.c)
		rapid.Check(t, func(rt *rapid.T) {
			data := mutate(rt, seeds)
			decodeStable[Shape](rt, k, data)
			decodeStable[any](rt, k, data)
		})
	})
}

// frames returns the encodings of the sample Shapes the codec accepts,
// each the first frame of a connection.
func (k *kit) frames(t *testing.T) [][]byte {
	var frames [][]byte
	for _, v := range sampleShapes() {
		if k.claims.refusal(v) != "" {
			continue
		}
		frame, err := encodeAs(codec.ForConnection(k.c), nil, &v)
		if err != nil {
			t.Fatalf("encoding a sample Shape: %v\nvalue: %#v", err, v)
		}
		frames = append(frames, frame)
	}
	return frames
}

// truncated checks that every proper prefix of a frame fails to decode: a
// Shape is a struct, which no format can end early.
func (k *kit) truncated(t *testing.T) {
	for _, frame := range k.frames(t) {
		step := max(1, len(frame)/256)
		for n := 0; n < len(frame); n += step {
			_, err := decodeAs[Shape](codec.ForConnection(k.c), frame[:n])
			requireNoPanic(t, "decoding a truncated frame", frame[:n], err)
			if err == nil {
				t.Fatalf("the first %d bytes of a %d-byte frame decoded without error: % x", n, len(frame), head(frame[:n]))
			}
		}
	}
}

// trailing checks that a frame holding more than one value fails to
// decode: netchan sends one value per frame, and bytes after it mean a
// broken or hostile peer.
func (k *kit) trailing(t *testing.T) {
	for _, frame := range k.frames(t) {
		for _, data := range [][]byte{append(bytes.Clone(frame), 0), append(bytes.Clone(frame), frame...)} {
			_, err := decodeAs[Shape](codec.ForConnection(k.c), data)
			requireNoPanic(t, "decoding a frame with trailing data", data, err)
			if err == nil {
				t.Fatalf("a frame with %d bytes after its value decoded without error", len(data)-len(frame))
			}
		}
	}
}

// maxHostileAlloc is how much a decoder may allocate for a small input
// whose header claims a huge length or depth, far more than it needs.
const maxHostileAlloc = 64 << 20

// hostileInputs are headers of common formats that claim far more than
// the input holds, and nesting as deep as a frame of netchan's default
// size allows. Whatever the codec's format, they must fail cheaply.
func hostileInputs() map[string][]byte {
	ff := func(n int) []byte { return bytes.Repeat([]byte{0xff}, n) }
	deep := func(b byte) []byte { return bytes.Repeat([]byte{b}, 1<<20) }
	return map[string][]byte{
		"CBOR byte string of 2^64-1 bytes": append([]byte{0x5b}, ff(8)...),
		"CBOR array of 2^64-1 elements":    append([]byte{0x9b}, ff(8)...),
		"CBOR map of 2^64-1 pairs":         append([]byte{0xbb}, ff(8)...),
		"CBOR arrays 2^20 deep":            deep(0x81),
		"MessagePack bin of 2^32-1 bytes":  append([]byte{0xc6}, ff(4)...),
		"MessagePack str of 2^32-1 bytes":  append([]byte{0xdb}, ff(4)...),
		"MessagePack array of 2^32-1":      append([]byte{0xdd}, ff(4)...),
		"MessagePack map of 2^32-1":        append([]byte{0xdf}, ff(4)...),
		"MessagePack arrays 2^20 deep":     deep(0x91),
		"JSON arrays 2^20 deep":            deep('['),
		"JSON string without its end":      append([]byte{'"'}, bytes.Repeat([]byte{'a'}, 1<<20)...),
		"gob message of 2^32-1 bytes":      append([]byte{0xfc}, ff(4)...),
		"gob message of 2^63-1 bytes":      append([]byte{0xf8, 0x7f}, ff(7)...),
	}
}

func (k *kit) hostile(t *testing.T) {
	for name, data := range hostileInputs() {
		t.Run(name, func(t *testing.T) {
			hostileDecode[Shape](t, k, data)
			hostileDecode[any](t, k, data)
		})
	}
}

func hostileDecode[T any](t *testing.T, k *kit, data []byte) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := decodeAs[T](codec.ForConnection(k.c), data)
	runtime.ReadMemStats(&after)
	requireNoPanic(t, "decoding", data, err)
	if err == nil {
		t.Fatalf("decoding into a %v succeeded", reflect.TypeFor[T]())
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > maxHostileAlloc {
		t.Fatalf("decoding %d bytes into a %v allocated %d MiB before it failed: a length the input does not back was trusted", len(data), reflect.TypeFor[T](), n>>20)
	}
}

// mutate draws one of seeds and changes it a little: bytes overwritten,
// inserted or removed, as a fuzzer would.
func mutate(t *rapid.T, seeds [][]byte) []byte {
	data := bytes.Clone(rapid.SampledFrom(seeds).Draw(t, "seed"))
	for range rapid.IntRange(1, 4).Draw(t, "mutations") {
		i := rapid.IntRange(0, len(data)).Draw(t, "at")
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			if i < len(data) {
				data[i] = rapid.Byte().Draw(t, "byte")
			}
		case 1:
			data = append(data[:i], append([]byte{rapid.Byte().Draw(t, "byte")}, data[i:]...)...)
		case 2:
			if i < len(data) {
				data = append(data[:i], data[i+1:]...)
			}
		}
	}
	return data
}
