package property_test

import (
	"pgregory.net/rapid"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/codec/codectest"
)

// Shape is the conformance kit's value with every kind of part a codec
// must carry; the kit generates them, and knows what each shipped codec
// may change or must refuse.
type Shape = codectest.Shape

func shapeGen() *rapid.Generator[Shape] { return codectest.Shapes() }

// refuses reports whether c must refuse v, by the claims of its
// documentation.
func refuses(v Shape, c codec.Codec) bool {
	return codectest.Refuses(v, codectest.Claims(c)...)
}

// sameShape reports whether got is what a codec with claims may deliver
// for want, and says how they differ if not; with no claims, they must be
// equal, NaN counting as equal to NaN.
func sameShape(want, got Shape, claims ...codectest.Option) (bool, string) {
	d := codectest.Diff(want, got, claims...)
	return d == "", d
}
