package chans

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

type (
	plain struct {
		A int
		B []string
		T time.Time
	}
	inner struct {
		Reply chan<- int
		N     int
	}
	everywhere struct {
		Direct chan int
		Ptr    *inner
		Slice  []inner
		Array  [2]<-chan string
		Map    map[string]chan<- int
		Plain  plain
		hidden chan int    // unexported: codecs do not see it
		Tagged chan<- bool `json:"tagged"`
		Embedded
	}
	Embedded struct{ E chan<- int }
	keyed    map[chan int]int
	loop     struct {
		Next *loop
		C    chan int
	}
	plainLoop struct {
		Next *plainLoop
		N    int
	}
	withPlainLoop struct {
		L plainLoop
		C chan int
	}
	// A channel of its own type is no recursion: each level is a value
	// on a stream of its own.
	selfChan chan selfChan
	badElem  struct{ C chan keyed }
)

func TestHolds(t *testing.T) {
	for _, c := range []struct {
		v    any
		want bool
	}{
		{0, false}, {plain{}, false}, {plainLoop{}, false}, {[]any{}, false},
		{make(chan int), true}, {inner{}, true}, {everywhere{}, true},
		{map[string][]*inner{}, true}, {struct{ c chan int }{}, false},
		{keyed{}, true}, {loop{}, true}, {selfChan(nil), true},
	} {
		if got := Holds(reflect.TypeOf(c.v)); got != c.want {
			t.Errorf("Holds(%T) = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestRefused(t *testing.T) {
	for _, v := range []any{keyed{}, loop{}, badElem{}} {
		if _, err := For(reflect.TypeOf(v)); !errors.Is(err, ErrType) {
			t.Errorf("For(%T) = %v, want ErrType", v, err)
		}
	}
	for _, v := range []any{withPlainLoop{}, selfChan(nil), plain{}} {
		if _, err := For(reflect.TypeOf(v)); err != nil {
			t.Errorf("For(%T): %v", v, err)
		}
	}
}

func TestWireType(t *testing.T) {
	p, err := For(reflect.TypeFor[everywhere]())
	if err != nil {
		t.Fatal(err)
	}
	w := p.Wire
	for name, want := range map[string]reflect.Type{
		"Direct": reflect.TypeFor[uint32](),
		"Array":  reflect.TypeFor[[2]uint32](),
		"Map":    reflect.TypeFor[map[string]uint32](),
		"Plain":  reflect.TypeFor[plain](),
		"Tagged": reflect.TypeFor[uint32](),
	} {
		f, ok := w.FieldByName(name)
		if !ok || f.Type != want {
			t.Errorf("wire field %s: %v (present %v), want %v", name, f.Type, ok, want)
		}
	}
	if f, _ := w.FieldByName("Tagged"); f.Tag.Get("json") != "tagged" {
		t.Errorf("tag lost: %q", f.Tag)
	}
	if _, ok := w.FieldByName("hidden"); ok {
		t.Error("unexported field in the wire type")
	}
	if f, ok := w.FieldByName("Embedded"); !ok || f.Anonymous {
		t.Errorf("embedded field: %+v", f)
	}
	if p, _ := For(reflect.TypeFor[plain]()); p != nil {
		t.Error("a plan for a type without channels")
	}
}

// A value goes to its wire form and back with each channel replaced by
// an id and each id by the channel bound to it: the same value, with its
// channels, its nils and its plain parts.
func TestRoundTrip(t *testing.T) {
	c1, c2, c3, c4, c5 := make(chan int), make(chan int, 3), make(chan string), make(chan int), make(chan int)
	v := everywhere{
		Direct: c1,
		Ptr:    &inner{Reply: c2, N: 7},
		Slice:  []inner{{N: 1}, {Reply: c4}},
		Array:  [2]<-chan string{nil, c3},
		Map:    map[string]chan<- int{"a": c5, "nil": nil},
		Plain:  plain{A: 1, B: []string{"x"}},
		Tagged: nil,
	}
	p, err := For(reflect.TypeOf(v))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[uint32]Chan{}
	w, err := p.ToWire(reflect.ValueOf(v), func(c Chan) (uint32, error) {
		id := uint32(2*len(byID) + 3)
		byID[id] = c
		return id, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) != 5 {
		t.Fatalf("%d channels found, want 5", len(byID))
	}
	var back everywhere
	err = p.FromWire(w.Elem(), reflect.ValueOf(&back).Elem(), func(id uint32, ct reflect.Type) (reflect.Value, error) {
		c, ok := byID[id]
		if !ok {
			t.Fatalf("unknown id %d", id)
		}
		if DirOf(ct) != c.Dir {
			t.Errorf("id %d: direction %c, found as %c", id, DirOf(ct), c.Dir)
		}
		delete(byID, id)
		return c.V, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v.hidden = nil
	if !reflect.DeepEqual(back, v) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, v)
	}
	if got := DirOf(reflect.TypeFor[chan int]()); got != Reply {
		t.Errorf("a bidirectional channel goes %c, want reply", got)
	}
}

func TestOwned(t *testing.T) {
	ch := reflect.ValueOf(make(chan int))
	if err := Own(ch); err != nil {
		t.Fatal(err)
	}
	if err := Own(reflect.ValueOf((chan<- int)(ch.Interface().(chan int)))); !errors.Is(err, ErrInUse) {
		t.Fatalf("second Own of one channel through another type: %v", err)
	}
	Release(ch)
	if isOwned(ch) {
		t.Fatal("owned after Release")
	}
}

// isOwned reports whether ch is carried now.
func isOwned(ch reflect.Value) bool {
	_, ok := owned.Load(ch.UnsafePointer())
	return ok
}

func TestMeta(t *testing.T) {
	rt := reflect.TypeFor[chan<- int]()
	if err := CheckMeta(Meta(rt), rt); err != nil {
		t.Fatal(err)
	}
	for _, other := range []reflect.Type{reflect.TypeFor[<-chan int](), reflect.TypeFor[chan<- string]()} {
		if CheckMeta(Meta(other), rt) == nil {
			t.Errorf("meta of %v accepted for %v", other, rt)
		}
	}
	if CheckMeta([]byte("x"), rt) == nil || CheckMeta(nil, rt) == nil {
		t.Error("meta that announces no channel accepted")
	}
}
