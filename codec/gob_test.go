package codec_test

import (
	"encoding/gob"
	"errors"
	"testing"

	"github.com/netchan/netchan/codec"
)

// TestGobSessionSendsTypesOnce checks the point of gob sessions: the first
// frame describes the type, later frames carry only data.
func TestGobSessionSendsTypesOnce(t *testing.T) {
	const n = 1000
	send, recv := codec.ForConnection(codec.Gob()), codec.ForConnection(codec.Gob())
	stateless, err := codec.Gob().Marshal(sampleRecord(0))
	if err != nil {
		t.Fatal(err)
	}
	var first, total int
	for i := range n {
		want := sampleRecord(i)
		data, err := send.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = len(data)
		} else if len(data) >= first {
			t.Fatalf("frame %d is %d bytes, not smaller than the first (%d)", i, len(data), first)
		}
		total += len(data)
		var got Record
		if err := recv.Unmarshal(data, &got); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		requireSameRecord(t, want, got)
	}
	if limit := n * len(stateless) / 2; total > limit {
		t.Fatalf("%d values took %d bytes in a session, want under half of stateless (%d)", n, total, 2*limit)
	}
}

func TestGobSessionRejectsTrailingData(t *testing.T) {
	send, recv := codec.ForConnection(codec.Gob()), codec.ForConnection(codec.Gob())
	data, err := send.Marshal(sampleRecord(0))
	if err != nil {
		t.Fatal(err)
	}
	var got Record
	if err := recv.Unmarshal(append(data, 0), &got); !errors.Is(err, codec.ErrTrailingData) {
		t.Fatalf("got %v, want ErrTrailingData", err)
	}

	// Two values in one frame are trailing data too.
	two, err := send.Marshal(sampleRecord(1))
	if err != nil {
		t.Fatal(err)
	}
	two, err = codec.Append(send, two, sampleRecord(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := recv.Unmarshal(two, &got); !errors.Is(err, codec.ErrTrailingData) {
		t.Fatalf("two values: got %v, want ErrTrailingData", err)
	}

	// The stateless codec checks the same.
	one, err := codec.Gob().Marshal(sampleRecord(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := codec.Gob().Unmarshal(append(one, 1, 2), &got); !errors.Is(err, codec.ErrTrailingData) {
		t.Fatalf("stateless: got %v, want ErrTrailingData", err)
	}
}

func TestGobShortFrames(t *testing.T) {
	data, err := codec.ForConnection(codec.Gob()).Marshal(sampleRecord(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, frame := range [][]byte{nil, data[:1], data[:len(data)/2], data[:len(data)-1]} {
		var got Record
		err := codec.ForConnection(codec.Gob()).Unmarshal(frame, &got)
		if !errors.Is(err, codec.ErrShortFrame) {
			t.Errorf("%d of %d bytes: got %v, want ErrShortFrame", len(frame), len(data), err)
		}
	}
}

func TestGobNilValue(t *testing.T) {
	var nilRecord *Record
	for _, c := range []codec.Codec{codec.Gob(), codec.ForConnection(codec.Gob())} {
		for _, v := range []any{nil, nilRecord} {
			if _, err := c.Marshal(v); !errors.Is(err, codec.ErrNilValue) {
				t.Errorf("%T: Marshal(%#v) = %v, want ErrNilValue", c, v, err)
			}
		}
	}
}

type unregistered struct{ X int }

type withAny struct {
	Name string
	V    any
}

// TestGobSessionSurvivesFailedEncode sends a value that fails after gob has
// written its type descriptions, then a good value of the same type. The
// descriptions must still reach the peer, or it could never decode the type.
func TestGobSessionSurvivesFailedEncode(t *testing.T) {
	send, recv := codec.ForConnection(codec.Gob()), codec.ForConnection(codec.Gob())
	dst := []byte("keep")
	out, err := codec.Append(send, dst, withAny{Name: "bad", V: unregistered{1}})
	if err == nil {
		t.Fatal("encoding an unregistered type in an interface succeeded")
	}
	if string(out) != "keep" {
		t.Fatalf("failed Append returned %q, want dst unchanged", out)
	}
	data, err := send.Marshal(withAny{Name: "good"})
	if err != nil {
		t.Fatal(err)
	}
	var got withAny
	if err := recv.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != "good" {
		t.Fatalf("got %+v", got)
	}
}

func TestGobInterfaceNeedsRegister(t *testing.T) {
	gob.Register(registered{})
	send, recv := codec.ForConnection(codec.Gob()), codec.ForConnection(codec.Gob())
	data, err := send.Marshal(withAny{Name: "r", V: registered{7}})
	if err != nil {
		t.Fatal(err)
	}
	var got withAny
	if err := recv.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.V != (registered{7}) {
		t.Fatalf("got %#v", got.V)
	}
}

type registered struct{ Y int }

func TestGobEquivalences(t *testing.T) {
	c := codec.Gob()
	t.Run("empty slices arrive nil, maps stay distinct", func(t *testing.T) {
		got := roundTrip(t, c, containers{Slice: []int{}, Map: map[string]int{}, Bytes: []byte{}})
		if got.Slice != nil || got.Bytes != nil {
			t.Fatalf("empty slices: got %#v, want nil", got)
		}
		if got.Map == nil || len(got.Map) != 0 {
			t.Fatalf("empty map: got %#v, want empty", got.Map)
		}
		got = roundTrip(t, c, containers{Slice: []int{1}})
		if got.Map != nil || got.Bytes != nil {
			t.Fatalf("nil containers: got %#v, want nil", got)
		}
	})
	t.Run("pointers flattened", func(t *testing.T) {
		type ptrs struct {
			Nil, Zero, Set *int
			ZeroString     *string
			ZeroStruct     *Inner
			Keep           int
		}
		zero, seven, empty := 0, 7, ""
		got := roundTrip(t, c, ptrs{Zero: &zero, Set: &seven, ZeroString: &empty, ZeroStruct: &Inner{}, Keep: 1})
		if got.Nil != nil || got.Zero != nil || got.ZeroString != nil {
			t.Fatalf("nil and zero pointers: got %+v, want nil", got)
		}
		if got.Set == nil || *got.Set != 7 {
			t.Fatalf("Set: got %v", got.Set)
		}
		if got.ZeroStruct == nil {
			t.Fatal("pointer to a zero struct arrived nil")
		}
	})
	t.Run("zero fields are not sent", func(t *testing.T) {
		data, err := c.Marshal(Inner{Label: ""})
		if err != nil {
			t.Fatal(err)
		}
		dst := Inner{Label: "already here"}
		if err := c.Unmarshal(data, &dst); err != nil {
			t.Fatal(err)
		}
		if dst.Label != "already here" {
			t.Fatalf("Label = %q: a zero field was sent", dst.Label)
		}
	})
}
