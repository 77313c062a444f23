package codectest

import "time"

// An Option states one thing the codec under test claims: a way in which a
// value may arrive different from the one sent, or a kind of value it
// refuses. With no options the kit holds the codec to exact round trips.
// A claim is a license, not a demand: a codec that does better passes.
type Option struct{ apply func(*claims) }

// claims is what the options of one run add up to.
type claims struct {
	emptySliceNil bool
	nilMapEmpty   bool
	zeroPointer   bool
	zeroTime      bool
	dupKeys       bool
	negZero       bool
	timeLoc       *time.Location

	refuseUTF8      bool
	refuseNonFinite bool
	refuseTime      func(time.Time) bool

	anyAs    func(any) any
	register func(any)
}

func newClaims(opts []Option) *claims {
	c := &claims{}
	for _, o := range opts {
		o.apply(c)
	}
	return c
}

// EmptySliceAsNil claims that an empty slice, []byte included, may arrive
// nil, as with gob.
func EmptySliceAsNil() Option { return Option{func(c *claims) { c.emptySliceNil = true }} }

// NilMapAsEmpty claims that a nil map may arrive empty, as with gob when
// the map is the whole value or in an interface.
func NilMapAsEmpty() Option { return Option{func(c *claims) { c.nilMapEmpty = true }} }

// ZeroPointerAsNil claims that a pointer to a zero value may arrive nil,
// as with gob, which does not send a zero field.
func ZeroPointerAsNil() Option { return Option{func(c *claims) { c.zeroPointer = true }} }

// ZeroTimeAsNil claims that the zero time.Time may arrive as nil where it
// can (a *time.Time, an `any`), as with CBOR, which sends it as null.
func ZeroTimeAsNil() Option { return Option{func(c *claims) { c.zeroTime = true }} }

// DuplicateKeysRefused claims that a map two of whose keys decode as equal
// may be encoded and then refused by the decoder with an error wrapping
// codec.ErrDuplicateKey, as with CBOR: a fuzzed input may decode to such
// a map (nil and a zero time read from a NaN epoch, both sent as null).
func DuplicateKeysRefused() Option { return Option{func(c *claims) { c.dupKeys = true }} }

// NegativeZeroAsZero claims that a float holding -0 may arrive as +0.
func NegativeZeroAsZero() Option { return Option{func(c *claims) { c.negZero = true }} }

// TimeArrivesIn claims that a time.Time other than the zero time arrives
// in loc, equal by time.Time.Equal to the time sent. Without it, a time
// must arrive with the zone offset it was sent with; the zone's name and
// the monotonic clock reading, which no format netchan ships keeps, may be
// lost.
func TimeArrivesIn(loc *time.Location) Option { return Option{func(c *claims) { c.timeLoc = loc }} }

// RefusesInvalidUTF8 claims that the codec refuses a string that is not
// valid UTF-8, as JSON does, where it would otherwise deliver a different
// string. Without it, strings must arrive byte for byte.
func RefusesInvalidUTF8() Option { return Option{func(c *claims) { c.refuseUTF8 = true }} }

// RefusesNonFinite claims that the codec refuses NaN and infinite floats.
// Without it they must arrive as sent (any NaN standing for every NaN).
func RefusesNonFinite() Option { return Option{func(c *claims) { c.refuseNonFinite = true }} }

// RefusesTimes claims that the codec refuses the times for which refuses
// returns true, such as zone offsets it cannot write.
func RefusesTimes(refuses func(time.Time) bool) Option {
	return Option{func(c *claims) { c.refuseTime = refuses }}
}

// AnyAs claims what a value decoded into an interface holds: as(v) for a
// value v sent in one, compared exactly, type included. Self-describing
// formats decode into generic forms (CBOR turns 42 into uint64(42), a
// struct into a map). Without AnyAs, a value must arrive in an interface
// with its own type, as with gob once the type is registered (see
// Register).
func AnyAs(as func(v any) any) Option { return Option{func(c *claims) { c.anyAs = as }} }

// Register gives the kit the function that makes a type known to the
// codec before a value of it is sent in an interface, such as
// gob.Register. The kit calls it once for each type it sends in one.
func Register(register func(v any)) Option { return Option{func(c *claims) { c.register = register }} }
