package codectest_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/codec/codectest"
)

// A codec's test file runs the whole kit, and netchan over loopback with
// the codec, in a line each.
func ExampleRun() {
	var t *testing.T // the test's own
	c := codec.CBOR()
	codectest.Run(t, c, codectest.TimeArrivesIn(time.UTC), codectest.ZeroTimeAsNil())
	codectest.RunNetwork(t, c, codectest.TimeArrivesIn(time.UTC), codectest.ZeroTimeAsNil())
}

// gob delivers an empty slice as nil, and its claims say so.
func ExampleDiff() {
	sent := codectest.Inner{Name: "x", Tags: []string{}}
	frame, err := codec.Gob().Marshal(sent)
	if err != nil {
		fmt.Println(err)
		return
	}
	var got codectest.Inner
	if err := codec.Gob().Unmarshal(frame, &got); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(codectest.Diff(sent, got))
	fmt.Printf("%q\n", codectest.Diff(sent, got, codectest.EmptySliceAsNil()))
	// Output:
	// .Tags: sent []string{}, got []string(nil): nil and empty differ
	// ""
}

// JSON claims to refuse strings that are not UTF-8, and does.
func ExampleRefuses() {
	v := codectest.Shape{S: "caf\xe9"}
	fmt.Println(codectest.Refuses(v, codectest.Claims(codec.JSON())...))
	_, err := codec.JSON().Marshal(v)
	fmt.Println(errors.Is(err, codec.ErrUnsupported))
	fmt.Println(err)
	// Output:
	// true
	// true
	// netchan: codec: json cannot encode codectest.Shape at .S: string is not valid UTF-8
}
