package wire

import "fmt"

// A values frame carries several values of one stream, so that a burst of
// small values costs a reader one frame, not one each. Its payload is the
// first value's sequence number, then each value as a varint length and its
// bytes; the others are numbered on from the first.

// MaxValuesPayload bounds a values frame's payload: the whole frame fits a
// 4 KiB read buffer, so a reader never allocates for one. Values that do not
// fit go in data frames.
const MaxValuesPayload = 4<<10 - HeaderSize

// ValuesSize returns the payload size of a values frame whose first value
// has sequence number seq, for the value sizes that size gives, counting
// values from the first while they fit in MaxValuesPayload, and how many fit.
func ValuesSize(seq uint64, n int, size func(i int) int) (payload, fit int) {
	payload = uvarintLen(seq)
	for fit < n {
		sz := size(fit)
		add := uvarintLen(uint64(sz)) + sz
		if payload+add > MaxValuesPayload {
			break
		}
		payload += add
		fit++
	}
	return payload, fit
}

// AppendValue appends one value of a values frame's payload, after the
// sequence number that AppendDataPrefix writes.
func AppendValue(dst, value []byte) []byte { return appendBytesField(dst, value) }

// Values walks a values frame's payload.
type Values struct {
	Seq  uint64 // the next value's sequence number
	rest []byte
}

// ParseValues reads a values payload's sequence number. It refuses a payload
// larger than MaxValuesPayload, or one with no value.
func ParseValues(p []byte) (Values, error) {
	if len(p) > MaxValuesPayload {
		return Values{}, fmt.Errorf("%w: values frame of %d bytes, at most %d", ErrMalformed, len(p), MaxValuesPayload)
	}
	seq, rest, err := uvarint(p, "values sequence number")
	if err != nil {
		return Values{}, err
	}
	if len(rest) == 0 {
		return Values{}, fmt.Errorf("%w: values frame without a value", ErrMalformed)
	}
	return Values{Seq: seq, rest: rest}, nil
}

// Next returns the next value and its sequence number, which aliases the
// payload; ok is false after the last.
func (v *Values) Next() (d Data, ok bool, err error) {
	if len(v.rest) == 0 {
		return Data{}, false, nil
	}
	value, rest, err := bytesField(v.rest, len(v.rest), "value")
	if err != nil {
		return Data{}, false, err
	}
	d = Data{Seq: v.Seq, Value: value}
	v.Seq++
	v.rest = rest
	return d, true, nil
}
