package codec

import (
	"encoding"
	"encoding/gob"
	"reflect"
	"sync"
)

// A gobPlan says which parts of a value of one type checkGobFields must
// look at: only the paths that lead to a time, an interface, a channel or
// a function. A value of a type with none costs one map lookup, and one
// with a time field a few field accesses, not a walk of everything.
type gobPlan struct {
	refuse bool // a channel or function, or a type that holds one by value
	time   bool
	iface  bool // what the interface holds decides
	fields []gobField
	elem   *gobPlan // of a pointer, slice, array or map
	key    *gobPlan // of a map
}

type gobField struct {
	index int
	plan  *gobPlan
}

var (
	gobEncoderType    = reflect.TypeFor[gob.GobEncoder]()
	binaryMarshalType = reflect.TypeFor[encoding.BinaryMarshaler]()
)

// gobPlans maps a reflect.Type to its *gobPlan, nil when nothing in a
// value of it needs a look.
var gobPlans sync.Map

func gobPlanOf(t reflect.Type) *gobPlan {
	if p, ok := gobPlans.Load(t); ok {
		return p.(*gobPlan)
	}
	p := buildGobPlan(t, map[reflect.Type]*gobPlan{})
	gobPlans.Store(t, p)
	return p
}

// buildGobPlan builds t's plan; building records the plans under way, so
// that a recursive type refers to its own.
func buildGobPlan(t reflect.Type, building map[reflect.Type]*gobPlan) *gobPlan {
	if p, ok := building[t]; ok {
		return p
	}
	p := &gobPlan{}
	building[t] = p
	switch {
	case t == timeType:
		p.time = true
		return p
	case t.Kind() == reflect.Pointer:
		// Before the methods: a pointer to a time has time's.
		p.elem = buildGobPlan(t.Elem(), building)
	case t.Implements(gobEncoderType) || t.Implements(binaryMarshalType):
		return nil // encoded by its own method
	}
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		p.refuse = true
	case reflect.Interface:
		p.iface = true
	case reflect.Slice, reflect.Array:
		p.elem = buildGobPlan(t.Elem(), building)
	case reflect.Map:
		p.key, p.elem = buildGobPlan(t.Key(), building), buildGobPlan(t.Elem(), building)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue // gob does not send it
			}
			if fp := buildGobPlan(f.Type, building); fp != nil {
				p.refuse = p.refuse || fp.refuse
				p.fields = append(p.fields, gobField{i, fp})
			}
		}
	}
	if !p.refuse && !p.time && !p.iface && p.fields == nil && p.elem == nil && p.key == nil {
		return nil
	}
	return p
}

// find reports whether v, of the plan's type, holds a part gob cannot send
// as it is. It allocates nothing.
func (p *gobPlan) find(v reflect.Value, depth int) bool {
	switch {
	case p == nil || depth > maxWalkDepth:
		return false
	case p.refuse:
		return true
	case p.time:
		_, bad := gobBadOffset(v)
		return bad
	case p.iface:
		return !v.IsNil() && gobPlanOf(v.Elem().Type()).find(v.Elem(), depth+1)
	}
	switch v.Kind() {
	case reflect.Pointer:
		return !v.IsNil() && p.elem.find(v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p.elem.find(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if p.key.find(it.Key(), depth+1) || p.elem.find(it.Value(), depth+1) {
				return true
			}
		}
	case reflect.Struct:
		for _, f := range p.fields {
			if f.plan.find(v.Field(f.index), depth+1) {
				return true
			}
		}
	}
	return false
}
