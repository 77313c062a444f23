package codectest

import "time"

// Shape is a value with every kind of part a codec must carry: integers
// of each width, floats, strings, byte slices, nested slices, maps,
// pointers, structs and times. [Shapes] generates them.
type Shape struct {
	Seq int // the value's place in what was sent

	I   int
	I8  int8
	I16 int16
	I32 int32
	I64 int64
	U   uint
	U8  uint8
	U16 uint16
	U32 uint32
	U64 uint64

	F32    float32
	F64    float64
	Floats []float64

	B      bool
	S      string
	Bytes  []byte
	Nested [][]int
	Map    map[string]int
	Lists  map[int][]string
	P      *int
	PS     *Inner
	Inners []Inner
	T      time.Time
	TP     *time.Time
}

// Inner is a struct inside Shape, by value and by pointer.
type Inner struct {
	N    int
	Name string
	Tags []string
}

// Label makes Inner a labeler.
func (in Inner) Label() string { return in.Name }

// labeler is an interface with a method, which a decoder cannot fill
// without knowing the concrete types that implement it.
type labeler interface{ Label() string }

// holder holds a value of any type in a struct field.
type holder struct {
	Name string
	V    any
}

// request has a field no format can carry: a channel.
type request struct {
	ID    int
	Reply chan int
}

// envelope holds requests two levels down, so that an error must name the
// path to the channel to be of use.
type envelope struct {
	Seq  int
	Body []request
}

// job has a function field, and batch holds jobs two levels down: an
// error must name the path to the function.
type (
	job struct {
		ID  int
		Run func()
	}
	batch struct {
		Seq  int
		Body []job
	}
)

// callback has a function field.
type callback struct {
	Name string
	Run  func()
}

// private has an unexported field, which reflection-based codecs neither
// send nor set: it arrives zero.
type private struct {
	Public int
	hidden int
}
