package wire

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// valuesPayload builds a values payload the way a sender does.
func valuesPayload(seq uint64, values ...[]byte) []byte {
	p := AppendDataPrefix(nil, seq)
	for _, v := range values {
		p = AppendValue(p, v)
	}
	return p
}

// sizes returns a size function over the given value sizes.
func sizes(s ...int) func(i int) int { return func(i int) int { return s[i] } }

// repeat returns n copies of size.
func repeat(n, size int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = size
	}
	return s
}

func TestValuesSize(t *testing.T) {
	// With seq 0 (one byte), a value of s bytes takes 1+s bytes while s
	// < 128 and 2+s below 16384: 4084 bytes fill the payload exactly.
	for _, tc := range []struct {
		name    string
		seq     uint64
		sizes   []int
		payload int
		fit     int
	}{
		{"no value", 0, nil, 1, 0},
		{"no value, long seq", 300, nil, 2, 0},
		{"one value filling the payload", 0, []int{4084}, MaxValuesPayload, 1},
		{"one value a byte too large", 0, []int{4085}, 1, 0},
		{"a value larger than a frame", 0, []int{5000, 1, 1}, 1, 0},
		{"longest seq leaves less room", 1 << 63, []int{4075}, MaxValuesPayload, 1},
		{"longest seq, a byte too large", 1 << 63, []int{4076}, 10, 0},
		{"empty values", 0, repeat(5000, 0), MaxValuesPayload, MaxValuesPayload - 1},
		{"forty small, and one to the byte", 0, append(repeat(40, 100), 45), MaxValuesPayload, 41},
		{"forty small, and one a byte over", 0, append(repeat(40, 100), 46, 0), 1 + 40*101, 40},
		{"stops at the first that does not fit", 0, []int{10, 5000, 10}, 12, 1},
		{"all fit", 7, []int{1, 2, 3}, 1 + 2 + 3 + 4, 3},
	} {
		payload, fit := ValuesSize(tc.seq, len(tc.sizes), sizes(tc.sizes...))
		if payload != tc.payload || fit != tc.fit {
			t.Errorf("%s: ValuesSize = %d bytes, %d values; want %d, %d", tc.name, payload, fit, tc.payload, tc.fit)
			continue
		}
		// The size is that of the payload a sender builds of the values
		// that fit.
		values := make([][]byte, fit)
		for i := range values {
			values[i] = make([]byte, tc.sizes[i])
		}
		if got := len(valuesPayload(tc.seq, values...)); got != payload {
			t.Errorf("%s: ValuesSize says %d bytes, the payload has %d", tc.name, payload, got)
		}
	}
}

// ValuesSize asks only for the sizes it needs: n values at most, and none
// after the first that does not fit.
func TestValuesSizeAsksNoFurther(t *testing.T) {
	var asked []int
	size := func(i int) int {
		asked = append(asked, i)
		return []int{10, 5000, 10}[i]
	}
	if _, fit := ValuesSize(0, 3, size); fit != 1 {
		t.Fatalf("fit %d, want 1", fit)
	}
	if len(asked) != 2 || asked[0] != 0 || asked[1] != 1 {
		t.Errorf("asked for the sizes of %v, want [0 1]", asked)
	}
	asked = nil
	if _, fit := ValuesSize(0, 2, func(i int) int { asked = append(asked, i); return 1 }); fit != 2 || len(asked) != 2 {
		t.Errorf("two values: fit %d, asked for %v", fit, asked)
	}
}

func TestValuesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		seq    uint64
		values [][]byte
	}{
		{0, [][]byte{[]byte("a")}},
		{0, [][]byte{nil, []byte("one"), nil}},
		{127, [][]byte{bytes.Repeat([]byte{0x80}, 127), bytes.Repeat([]byte{0xFF}, 128)}},
		{1<<64 - 3, [][]byte{[]byte("x"), []byte("y"), []byte("z")}},
		{5, [][]byte{bytes.Repeat([]byte("f"), MaxValuesPayload-3)}}, // exactly full
	} {
		p := valuesPayload(tc.seq, tc.values...)
		if len(p) > MaxValuesPayload {
			t.Fatalf("test payload of %d bytes", len(p))
		}
		vs, err := ParseValues(p)
		if err != nil {
			t.Errorf("seq %d, %d values: %v", tc.seq, len(tc.values), err)
			continue
		}
		if vs.Seq != tc.seq {
			t.Errorf("parsed seq %d, want %d", vs.Seq, tc.seq)
		}
		for i, want := range tc.values {
			d, ok, err := vs.Next()
			if err != nil || !ok {
				t.Fatalf("seq %d, value %d: ok %v, %v", tc.seq, i, ok, err)
			}
			if d.Seq != tc.seq+uint64(i) || !bytes.Equal(d.Value, want) {
				t.Errorf("value %d: seq %d, %d bytes; want seq %d, %d bytes", i, d.Seq, len(d.Value), tc.seq+uint64(i), len(want))
			}
		}
		for range 2 {
			if d, ok, err := vs.Next(); ok || err != nil {
				t.Errorf("seq %d: after the last value, Next = %+v, %v, %v", tc.seq, d, ok, err)
			}
		}
	}
}

// values walks a values payload to its end or its first error.
func values(p []byte) ([]Data, error) {
	vs, err := ParseValues(p)
	if err != nil {
		return nil, err
	}
	var ds []Data
	for {
		d, ok, err := vs.Next()
		if err != nil || !ok {
			return ds, err
		}
		ds = append(ds, d)
	}
}

func TestValuesMalformed(t *testing.T) {
	// One byte beyond the bound, every byte of it a well-formed value.
	over := valuesPayload(0, bytes.Repeat([]byte("o"), MaxValuesPayload-3), nil)
	if len(over) != MaxValuesPayload+1 {
		t.Fatalf("test payload of %d bytes", len(over))
	}
	for _, tc := range []struct {
		name string
		p    []byte
		good int // values Next yields before the error
	}{
		{"empty", nil, 0},
		{"a byte over the bound", over, 0},
		{"far over the bound", valuesPayload(0, make([]byte, 10000)), 0},
		{"no value", AppendDataPrefix(nil, 9), 0},
		{"seq truncated", []byte{0x80}, 0},
		{"seq overlong", append(overlong(3), 1, 'x'), 0},
		{"length truncated", []byte{0, 0x80}, 0},
		{"length truncated after a value", append(valuesPayload(0, []byte("a")), 0x81), 1},
		{"length overlong", append([]byte{0}, append(overlong(1), 'x')...), 0},
		{"value beyond the payload", append([]byte{0, 5}, "abc"...), 0},
		{"second value beyond the payload", append(valuesPayload(0, []byte("a")), 2, 'b'), 1},
		{"length far beyond the payload", append([]byte{0}, binary.AppendUvarint(nil, 1<<62)...), 0},
	} {
		ds, err := values(tc.p)
		wantMalformed(t, tc.name, err)
		if len(ds) != tc.good {
			t.Errorf("%s: %d values before the error, want %d", tc.name, len(ds), tc.good)
		}
		if err != nil && !strings.Contains(err.Error(), "value") {
			t.Errorf("%s: error %q does not say what was wrong", tc.name, err)
		}
	}
}

// PROTOCOL.md gives the bound as 4087 bytes: a whole values frame is 4 KiB.
func TestMaxValuesPayload(t *testing.T) {
	if MaxValuesPayload != 4087 || HeaderSize+MaxValuesPayload != 4096 {
		t.Errorf("MaxValuesPayload %d with a header of %d bytes; PROTOCOL.md says 4087, a frame of 4 KiB", MaxValuesPayload, HeaderSize)
	}
}
