package codec

import (
	"errors"
	"fmt"
)

// Default decoding limits of [CBOR]. They bound what one hostile frame can
// make the decoder do: recursion depth, and the length a header may claim
// before any element is allocated.
const (
	// DefaultCBORMaxNestedLevels is how deeply arrays, maps and tags may
	// nest. A struct is a map and a time.Time is a tag, so a struct field of
	// type time.Time sits two levels down.
	DefaultCBORMaxNestedLevels = 32
	// DefaultCBORMaxArrayElements is the longest array (Go slice or array,
	// other than []byte) a frame may hold.
	DefaultCBORMaxArrayElements = 131072
	// DefaultCBORMaxMapPairs is the largest map (Go map or struct) a frame
	// may hold.
	DefaultCBORMaxMapPairs = 131072
)

// The ranges the cbor library accepts for each limit; CBORWithLimits checks
// them itself so that its error can name the field in netchan's terms.
const (
	minCBORNestedLevels  = 4
	maxCBORNestedLevels  = 65535
	minCBORArrayElements = 16
	maxCBORArrayElements = 2147483647
	minCBORMapPairs      = 16
	maxCBORMapPairs      = 2147483647
)

// CBORLimits sets the decoding limits of a codec made by [CBORWithLimits]. A
// zero field means the default.
type CBORLimits struct {
	// MaxNestedLevels bounds nesting of arrays, maps and tags: 4 to 65535,
	// default [DefaultCBORMaxNestedLevels].
	MaxNestedLevels int
	// MaxArrayElements bounds the length of an array: 16 to 2147483647,
	// default [DefaultCBORMaxArrayElements].
	MaxArrayElements int
	// MaxMapPairs bounds the number of pairs in a map: 16 to 2147483647,
	// default [DefaultCBORMaxMapPairs].
	MaxMapPairs int
}

// CBORWithLimits returns a [CBOR] codec whose decoder enforces l instead of
// the defaults. The name and the encoding are those of [CBOR], so it talks to
// any CBOR peer. It returns an error wrapping [ErrInvalidLimits] if a field
// is outside its range.
func CBORWithLimits(l CBORLimits) (Codec, error) {
	if err := l.validate(); err != nil {
		return nil, err
	}
	dec, err := cborDecOptions(l.withDefaults()).DecMode()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidLimits, err)
	}
	return cborCodec{enc: cborEnc, dec: dec}, nil
}

func (l CBORLimits) withDefaults() CBORLimits {
	if l.MaxNestedLevels == 0 {
		l.MaxNestedLevels = DefaultCBORMaxNestedLevels
	}
	if l.MaxArrayElements == 0 {
		l.MaxArrayElements = DefaultCBORMaxArrayElements
	}
	if l.MaxMapPairs == 0 {
		l.MaxMapPairs = DefaultCBORMaxMapPairs
	}
	return l
}

func (l CBORLimits) validate() error {
	check := func(name string, v, lo, hi int) error {
		if v != 0 && (v < lo || v > hi) {
			return fmt.Errorf("%w: %s is %d, want 0 (default) or %d to %d", ErrInvalidLimits, name, v, lo, hi)
		}
		return nil
	}
	return errors.Join(
		check("MaxNestedLevels", l.MaxNestedLevels, minCBORNestedLevels, maxCBORNestedLevels),
		check("MaxArrayElements", l.MaxArrayElements, minCBORArrayElements, maxCBORArrayElements),
		check("MaxMapPairs", l.MaxMapPairs, minCBORMapPairs, maxCBORMapPairs),
	)
}
