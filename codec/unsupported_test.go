package codec_test

import (
	"encoding/gob"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
)

type reply struct {
	ID    int
	Reply chan int
}

type job struct {
	Name  string
	Steps []reply
	Hooks map[string]func()
}

// TestUnsupportedNamesThePart checks that every codec's refusal wraps
// ErrUnsupported and says where in the value the part at fault is.
func TestUnsupportedNamesThePart(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		path string
		// lenient: encoding/json looks at a type only to encode a value
		// of it, so it encodes a nil slice of a type it cannot.
		lenient bool
	}{
		{"chan field", reply{ID: 1, Reply: make(chan int)}, ".Reply (chan int)", false},
		{"chan field in a slice", job{Steps: []reply{{ID: 1}, {Reply: make(chan int)}}}, ".Steps[0].Reply", false},
		{"chan type, no chan in the value", job{}, ".Steps[].Reply", true},
		{"func in a map", map[string]job{"k": {Hooks: map[string]func(){"h": func() {}}}}, `["k"].Hooks`, false},
		{"pointer to one", &reply{Reply: make(chan int)}, ".Reply", false},
		{"in an interface", []any{1, reply{Reply: make(chan int)}}, "[1].Reply", false},
	} {
		for _, nc := range allCodecs() {
			if nc.name == "json" && tc.lenient {
				continue
			}
			t.Run(nc.name+"/"+tc.name, func(t *testing.T) {
				_, err := nc.c.Marshal(tc.v)
				var u *codec.UnsupportedError
				if !errors.As(err, &u) || !errors.Is(err, codec.ErrUnsupported) {
					t.Fatalf("got %v, want an *UnsupportedError wrapping ErrUnsupported", err)
				}
				if !strings.Contains(err.Error(), tc.path) || !strings.HasPrefix(err.Error(), "netchan: codec: "+nc.name) {
					t.Fatalf("error %q does not name %s", err, tc.path)
				}
				if u.Codec != nc.name || u.Type != reflect.TypeOf(tc.v) {
					t.Fatalf("got codec %q, type %v", u.Codec, u.Type)
				}
			})
		}
	}
}

// TestUnsupportedKeepsTheEncoderError checks that the library's own error
// stays reachable, for callers who test for it.
func TestUnsupportedKeepsTheEncoderError(t *testing.T) {
	_, err := codec.JSON().Marshal(struct{ F float64 }{math.NaN()})
	if !errors.Is(err, codec.ErrUnsupported) || !strings.Contains(err.Error(), "at .F (float64)") {
		t.Fatalf("NaN with JSON: %v", err)
	}
	_, err = codec.JSON().Marshal(struct{ S string }{"\xff"})
	if !errors.Is(err, codec.ErrUnsupported) || !errors.Is(err, codec.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8 with JSON: %v", err)
	}
	_, err = codec.Gob().Marshal(nil)
	if !errors.Is(err, codec.ErrUnsupported) || !errors.Is(err, codec.ErrNilValue) {
		t.Fatalf("nil with gob: %v", err)
	}
	if strings.Count(err.Error(), "netchan:") != 1 {
		t.Fatalf("the prefix is repeated: %q", err)
	}
}

// TestUnsupportedPlugIn shows the helper a codec plugged into netchan
// calls where its encoder fails.
func TestUnsupportedPlugIn(t *testing.T) {
	lib := errors.New("mycodec: cannot encode complex128")
	err := codec.Unsupported("mine", job{Name: "x", Steps: []reply{{ID: 1}}}, lib, func(v reflect.Value) bool {
		return v.Kind() == reflect.Int && v.Int() == 1
	})
	if !errors.Is(err, codec.ErrUnsupported) || !errors.Is(err, lib) {
		t.Fatalf("got %v", err)
	}
	const want = "netchan: codec: mine cannot encode codec_test.job at .Steps[0].ID (int): mycodec: cannot encode complex128"
	if err.Error() != want {
		t.Fatalf("got  %q\nwant %q", err, want)
	}
	if again := codec.Unsupported("mine", nil, err, nil); again != err {
		t.Fatalf("an *UnsupportedError was wrapped again: %v", again)
	}
}

// TestGobChanFieldRefused: gob itself would drop the field and deliver nil.
func TestGobChanFieldRefused(t *testing.T) {
	for _, c := range []codec.Codec{codec.Gob(), codec.ForConnection(codec.Gob())} {
		_, err := c.Marshal(reply{ID: 1})
		if !errors.Is(err, codec.ErrUnsupported) || !strings.Contains(err.Error(), ".Reply") {
			t.Fatalf("%T: got %v", c, err)
		}
	}
}

// TestGobAnyAtTheTop sends values whose static type is `any`, as netchan
// does for Listen[any]: gob must send them as interface values.
func TestGobAnyAtTheTop(t *testing.T) {
	gob.Register(registered{})
	send, recv := codec.ForConnection(codec.Gob()), codec.ForConnection(codec.Gob())
	for _, want := range []any{42, "s", registered{Y: 7}, nil, []int{1}} {
		frame, err := codec.AppendPointer(send, nil, &want)
		if err != nil {
			t.Fatalf("%#v: %v", want, err)
		}
		var got any
		if err := recv.Unmarshal(frame, &got); err != nil {
			t.Fatalf("%#v: %v", want, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %#v, want %#v", got, want)
		}
	}
	var unknown any = unregistered{1}
	_, err := codec.AppendPointer(send, nil, &unknown)
	if !errors.Is(err, codec.ErrUnsupported) || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("an unregistered type: got %v", err)
	}
}

// TestGobTimeOffsets: time.Time.MarshalBinary cannot carry a negative zone
// offset with seconds, nor one of -1 minute; gob refuses them.
func TestGobTimeOffsets(t *testing.T) {
	at := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, off := range []int{-59, -60, -119, -3661} {
		v := struct{ At *time.Time }{At: new(at.In(time.FixedZone("", off)))}
		_, err := codec.Gob().Marshal(v)
		if !errors.Is(err, codec.ErrTimeOffset) || !strings.Contains(err.Error(), ".At") {
			t.Errorf("offset %ds: got %v", off, err)
		}
	}
	for _, off := range []int{59, 3661, -120, 0} {
		want := at.In(time.FixedZone("", off))
		got := roundTrip(t, codec.Gob(), want)
		if _, o := got.Zone(); !got.Equal(want) || o != off {
			t.Errorf("offset %ds: got %v", off, got)
		}
	}
}

// TestInterfaceWithMethodsRefused: the CBOR and JSON decoders cannot fill
// such an interface, so the sender is told, not the receiver.
func TestInterfaceWithMethodsRefused(t *testing.T) {
	var v error = errors.New("x")
	for _, c := range []codec.Codec{codec.CBOR(), codec.JSON()} {
		_, err := codec.AppendPointer(c, nil, &v)
		if !errors.Is(err, codec.ErrInterfaceType) || !errors.Is(err, codec.ErrUnsupported) {
			t.Errorf("%s: got %v", c.Name(), err)
		}
	}
}
