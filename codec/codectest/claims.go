package codectest

import (
	"encoding/gob"
	"time"

	"github.com/netchan/netchan/codec"
)

// Claims returns the claims of a codec package codec ships, recognised by
// its name: what the documentation of codec.CBOR, codec.Gob and codec.JSON
// says each one changes or refuses. It returns nil for any other name.
func Claims(c codec.Codec) []Option {
	switch c.Name() {
	case "cbor":
		return []Option{
			TimeArrivesIn(time.UTC),
			ZeroTimeAsNil(),
			DuplicateKeysRefused(),
			RefusesTimes(func(t time.Time) bool { return outsideRFC3339(t.UTC()) }),
			AnyAs(cborAny),
		}
	case "gob":
		return []Option{
			EmptySliceAsNil(),
			NilMapAsEmpty(),
			ZeroPointerAsNil(),
			NegativeZeroAsZero(),
			RefusesTimes(func(t time.Time) bool {
				// time.Time.MarshalBinary keeps an offset of -1 minute for
				// UTC, and gets the seconds of other negative ones wrong.
				_, off := t.Zone()
				return off < 0 && (off%60 != 0 || off/60 == -1)
			}),
			Register(gob.Register),
		}
	case "json":
		return []Option{
			RefusesInvalidUTF8(),
			RefusesNonFinite(),
			RefusesTimes(func(t time.Time) bool {
				_, off := t.Zone()
				return off%60 != 0 || outsideRFC3339(t)
			}),
			AnyAs(jsonAny),
		}
	}
	return nil
}

// outsideRFC3339 reports whether t's year, in its own zone, is outside 0
// to 9999, which RFC 3339 text cannot write.
func outsideRFC3339(t time.Time) bool { return t.Year() < 0 || t.Year() > 9999 }
