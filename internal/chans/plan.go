// Package chans finds the channels in values of a type and carries them as
// stream ids, so that codecs never see a channel.
//
// Once per type it builds a Plan: the paths to every channel a codec would
// reach (exported struct fields, pointers, slices, arrays, map values, the
// type itself), and a wire type of the same shape in which each channel is a
// uint32 stream id, 0 for a nil channel. On the way out a value is copied
// into its wire form, each channel replaced by an id its caller assigns; on
// the way in the wire form is copied back, each id replaced by a channel
// its caller binds. A type that holds no channel has no plan: its values go
// to the codec as they are.
package chans

import (
	"errors"
	"fmt"
	"reflect"
	gosync "sync"
)

// ErrType is wrapped by the error of a type whose channels cannot travel.
var ErrType = errors.New("netchan: type's channels cannot travel")

// Dir says which way a channel's values go, as the program receiving the
// value that holds it sees its field.
type Dir byte

const (
	// Reply is a chan<- U, or a chan U: the receiver sends on it, and the
	// values arrive in the channel the sender put in the value.
	Reply Dir = 'r'
	// Stream is a <-chan U: the sender's program goes on sending on the
	// channel it put in the value, and the values arrive on the receiver's.
	Stream Dir = 's'
)

// DirOf returns the direction of a channel type.
func DirOf(t reflect.Type) Dir {
	if t.ChanDir() == reflect.RecvDir {
		return Stream
	}
	return Reply
}

// Plan is how values of one type that holds channels travel.
type Plan struct {
	T    reflect.Type // the program's type
	Wire reflect.Type // what the codec sees
	root *node
}

// node is the plan of one type inside T. A type that holds no channel has
// none: its values are copied as they are.
type node struct {
	t, w   reflect.Type
	fields []field // a struct's exported fields
	elem   *node   // a pointer's, slice's, array's or map's element
}

// field maps a struct field to its place in the wire struct.
type field struct {
	src, dst int
	n        *node
}

var (
	cache   gosync.Map // reflect.Type → *result
	uint32T = reflect.TypeFor[uint32]()
)

type result struct {
	p   *Plan
	err error
}

// Holds reports whether values of t may hold channels that netchan carries.
// A listener that gives each value to every client, rather than one, must
// refuse such a t: one channel cannot be bound to many peers.
func Holds(t reflect.Type) bool {
	p, err := For(t)
	return p != nil || err != nil
}

// For returns the plan of t: nil, with no error, if t holds no channel. It
// fails, wrapping ErrType, if t holds channels where they cannot travel: in
// a map's key, or in a recursive type. The element types of t's channels
// are checked too, and their own channels' in turn. The result is cached.
func For(t reflect.Type) (*Plan, error) {
	if r, ok := cache.Load(t); ok {
		return r.(*result).p, r.(*result).err
	}
	p, err := plan(t)
	if err == nil {
		err = checkElems(t)
	}
	if err != nil {
		p, err = nil, fmt.Errorf("%w: %v: %w", ErrType, t, err)
	}
	r, _ := cache.LoadOrStore(t, &result{p, err})
	return r.(*result).p, r.(*result).err
}

// plan builds t's plan, without looking into its channels' elements.
func plan(t reflect.Type) (*Plan, error) {
	if !holds(t, map[reflect.Type]bool{}) {
		return nil, nil
	}
	n, err := build(t, map[reflect.Type]bool{})
	if err != nil {
		return nil, err
	}
	return &Plan{T: t, Wire: n.w, root: n}, nil
}

// checkElems checks the element types of every channel reachable from t,
// through channels too.
func checkElems(t reflect.Type) error {
	seen := map[reflect.Type]bool{t: true}
	todo := chanElems(t, nil, map[reflect.Type]bool{})
	for len(todo) > 0 {
		e := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[e] {
			continue
		}
		seen[e] = true
		if _, err := plan(e); err != nil {
			return fmt.Errorf("in channel of %v: %w", e, err)
		}
		todo = chanElems(e, todo, map[reflect.Type]bool{})
	}
	return nil
}

// holds reports whether a channel is reachable from t where a codec looks.
func holds(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Chan:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holds(t.Elem(), seen)
	case reflect.Map:
		return holds(t.Key(), seen) || holds(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && holds(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// chanElems appends the element types of the channels reachable from t,
// not through channels.
func chanElems(t reflect.Type, dst []reflect.Type, seen map[reflect.Type]bool) []reflect.Type {
	if seen[t] {
		return dst
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Chan:
		return append(dst, t.Elem())
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return chanElems(t.Elem(), dst, seen)
	case reflect.Map:
		return chanElems(t.Elem(), dst, seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				dst = chanElems(f.Type, dst, seen)
			}
		}
	}
	return dst
}

// build makes the node of t, which holds channels. building holds the
// types being built, to find recursion.
func build(t reflect.Type, building map[reflect.Type]bool) (*node, error) {
	if building[t] {
		return nil, fmt.Errorf("%v holds channels and itself", t)
	}
	building[t] = true
	defer delete(building, t)
	n := &node{t: t}
	child := func(ct reflect.Type) (*node, reflect.Type, error) {
		if !holds(ct, map[reflect.Type]bool{}) {
			return nil, ct, nil
		}
		c, err := build(ct, building)
		if err != nil {
			return nil, nil, err
		}
		return c, c.w, nil
	}
	switch t.Kind() {
	case reflect.Chan:
		n.w = uint32T
		return n, nil
	case reflect.Struct:
		return n, n.buildStruct(child)
	case reflect.Map:
		if holds(t.Key(), map[reflect.Type]bool{}) {
			return nil, fmt.Errorf("%v has channels in its keys", t)
		}
	}
	var (
		ew  reflect.Type
		err error
	)
	if n.elem, ew, err = child(t.Elem()); err != nil {
		return nil, err
	}
	switch t.Kind() {
	case reflect.Pointer:
		n.w = reflect.PointerTo(ew)
	case reflect.Slice:
		n.w = reflect.SliceOf(ew)
	case reflect.Array:
		n.w = reflect.ArrayOf(t.Len(), ew)
	case reflect.Map:
		n.w = reflect.MapOf(t.Key(), ew)
	}
	return n, nil
}

// buildStruct makes a struct's wire type: its exported fields, with the same
// names and tags, each of its own wire type. An embedded field becomes a
// field of its type's name: the wire type has no methods to promote, and
// both ends use the same wire type.
func (n *node) buildStruct(child func(reflect.Type) (*node, reflect.Type, error)) error {
	var fs []reflect.StructField
	for i := range n.t.NumField() {
		f := n.t.Field(i)
		if !f.IsExported() {
			continue
		}
		c, w, err := child(f.Type)
		if err != nil {
			return err
		}
		n.fields = append(n.fields, field{src: i, dst: len(fs), n: c})
		fs = append(fs, reflect.StructField{Name: f.Name, Type: w, Tag: f.Tag})
	}
	n.w = reflect.StructOf(fs)
	return nil
}
