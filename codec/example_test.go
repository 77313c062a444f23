package codec_test

import (
	"errors"
	"fmt"

	"github.com/netchan/netchan/codec"
)

// textCodec is a codec of its own for plain strings: a frame is the string's
// bytes, nothing more.
type textCodec struct{}

func (textCodec) Name() string { return "text" }

func (textCodec) Marshal(v any) ([]byte, error) {
	switch s := v.(type) {
	case string:
		return []byte(s), nil
	case *string:
		return []byte(*s), nil
	}
	return nil, fmt.Errorf("text codec: cannot encode %T", v)
}

func (textCodec) Unmarshal(data []byte, v any) error {
	p, ok := v.(*string)
	if !ok {
		return fmt.Errorf("text codec: cannot decode into %T", v)
	}
	*p = string(data) // a copy: Unmarshal must not keep data
	return nil
}

// A custom codec needs only Name, Marshal and Unmarshal. Append and
// ForConnection work with it even though it implements neither Appender nor
// Stateful.
func Example_customCodec() {
	c := codec.ForConnection(textCodec{})
	frame, err := codec.Append(c, nil, "hello, netchan")
	if err != nil {
		fmt.Println(err)
		return
	}
	var s string
	if err := c.Unmarshal(frame, &s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %q in %d bytes\n", c.Name(), s, len(frame))
	// Output: text: "hello, netchan" in 14 bytes
}

// Each end of a connection has its own gob session; the first frame of a
// type carries its description, later frames only data.
func ExampleGob() {
	type point struct{ X, Y int }
	send := codec.ForConnection(codec.Gob())
	recv := codec.ForConnection(codec.Gob())
	first := 0
	for i := range 3 {
		frame, err := send.Marshal(point{i, -i})
		if err != nil {
			fmt.Println(err)
			return
		}
		var p point
		if err := recv.Unmarshal(frame, &p); err != nil {
			fmt.Println(err)
			return
		}
		if i == 0 {
			first = len(frame)
			fmt.Printf("%+v, type described\n", p)
		} else {
			// Exact sizes depend on gob's process-wide type numbering.
			fmt.Printf("%+v, data only: %v\n", p, len(frame) < first/2)
		}
	}
	// Output:
	// {X:0 Y:0}, type described
	// {X:1 Y:-1}, data only: true
	// {X:2 Y:-2}, data only: true
}

func ExampleCBORWithLimits() {
	c, err := codec.CBORWithLimits(codec.CBORLimits{MaxArrayElements: 1000})
	if err != nil {
		fmt.Println(err)
		return
	}
	frame, _ := codec.CBOR().Marshal(make([]int, 1001))
	var v []int
	err = c.Unmarshal(frame, &v)
	fmt.Println(errors.Is(err, codec.ErrLimitExceeded))

	_, err = codec.CBORWithLimits(codec.CBORLimits{MaxNestedLevels: 2})
	fmt.Println(err)
	// Output:
	// true
	// netchan: codec: invalid CBOR limits: MaxNestedLevels is 2, want 0 (default) or 4 to 65535
}
