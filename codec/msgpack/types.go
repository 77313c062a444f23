package msgpack

import (
	"reflect"
	"sync"
)

// methodsCache maps a reflect.Type to holdsMethods' answer.
var methodsCache sync.Map

// holdsMethods reports whether a value of type t may hold an interface
// with methods, through exported fields, elements, keys and pointers.
func holdsMethods(t reflect.Type) bool {
	if r, ok := methodsCache.Load(t); ok {
		return r.(bool)
	}
	r := walkMethods(t, map[reflect.Type]bool{})
	methodsCache.Store(t, r)
	return r
}

func walkMethods(t reflect.Type, inProgress map[reflect.Type]bool) bool {
	if inProgress[t] {
		return false // a recursive type: its other parts decide
	}
	inProgress[t] = true
	defer delete(inProgress, t)
	switch t.Kind() {
	case reflect.Interface:
		return t.NumMethod() > 0
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return walkMethods(t.Elem(), inProgress)
	case reflect.Map:
		return walkMethods(t.Key(), inProgress) || walkMethods(t.Elem(), inProgress)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && walkMethods(f.Type, inProgress) {
				return true
			}
		}
	}
	return false
}
