package chans

import "reflect"

// Chan is a channel found in a value on its way out.
type Chan struct {
	V   reflect.Value // the channel, as the value held it
	Dir Dir
}

// ToWire returns a pointer to the wire form of v, a value of p.T. It calls
// id for each non-nil channel in v, in a fixed order for a given value
// except among a map's values, and writes the id it returns in the
// channel's place; an error from id ends the walk and is returned.
func (p *Plan) ToWire(v reflect.Value, id func(Chan) (uint32, error)) (reflect.Value, error) {
	w := reflect.New(p.Wire)
	return w, toWire(p.root, v, w.Elem(), id)
}

func toWire(n *node, src, dst reflect.Value, id func(Chan) (uint32, error)) error {
	if n == nil {
		dst.Set(src)
		return nil
	}
	switch n.t.Kind() {
	case reflect.Chan:
		if src.IsNil() {
			return nil
		}
		// A copy: src may be memory the caller reuses.
		i, err := id(Chan{V: reflect.ValueOf(src.Interface()), Dir: DirOf(n.t)})
		dst.SetUint(uint64(i))
		return err
	case reflect.Pointer:
		if src.IsNil() {
			return nil
		}
		e := reflect.New(n.w.Elem())
		dst.Set(e)
		return toWire(n.elem, src.Elem(), e.Elem(), id)
	case reflect.Slice:
		if src.IsNil() {
			return nil
		}
		dst.Set(reflect.MakeSlice(n.w, src.Len(), src.Len()))
		return eachWire(n.elem, src, dst, id)
	case reflect.Array:
		return eachWire(n.elem, src, dst, id)
	case reflect.Map:
		if src.IsNil() {
			return nil
		}
		dst.Set(reflect.MakeMapWithSize(n.w, src.Len()))
		e := reflect.New(n.w.Elem()).Elem()
		for it := src.MapRange(); it.Next(); {
			e.SetZero()
			if err := toWire(n.elem, it.Value(), e, id); err != nil {
				return err
			}
			dst.SetMapIndex(it.Key(), e)
		}
	case reflect.Struct:
		for _, f := range n.fields {
			if err := toWire(f.n, src.Field(f.src), dst.Field(f.dst), id); err != nil {
				return err
			}
		}
	}
	return nil
}

func eachWire(n *node, src, dst reflect.Value, id func(Chan) (uint32, error)) error {
	for i := range src.Len() {
		if err := toWire(n, src.Index(i), dst.Index(i), id); err != nil {
			return err
		}
	}
	return nil
}

// FromWire sets dst, a settable value of p.T, from w, a value of p.Wire. It
// calls bind for each non-zero stream id in w, with the type of the channel
// that takes its place, and sets the channel bind returns there, which
// must be of a type assignable to t; an error from bind ends the walk and
// is returned.
func (p *Plan) FromWire(w, dst reflect.Value, bind func(id uint32, t reflect.Type) (reflect.Value, error)) error {
	return fromWire(p.root, w, dst, bind)
}

func fromWire(n *node, src, dst reflect.Value, bind func(uint32, reflect.Type) (reflect.Value, error)) error {
	if n == nil {
		dst.Set(src)
		return nil
	}
	switch n.t.Kind() {
	case reflect.Chan:
		if src.Uint() == 0 {
			return nil
		}
		ch, err := bind(uint32(src.Uint()), n.t)
		if err != nil {
			return err
		}
		dst.Set(ch)
	case reflect.Pointer:
		if src.IsNil() {
			return nil
		}
		e := reflect.New(n.t.Elem())
		dst.Set(e)
		return fromWire(n.elem, src.Elem(), e.Elem(), bind)
	case reflect.Slice:
		if src.IsNil() {
			return nil
		}
		dst.Set(reflect.MakeSlice(n.t, src.Len(), src.Len()))
		return eachFrom(n.elem, src, dst, bind)
	case reflect.Array:
		return eachFrom(n.elem, src, dst, bind)
	case reflect.Map:
		if src.IsNil() {
			return nil
		}
		dst.Set(reflect.MakeMapWithSize(n.t, src.Len()))
		e := reflect.New(n.t.Elem()).Elem()
		for it := src.MapRange(); it.Next(); {
			e.SetZero()
			if err := fromWire(n.elem, it.Value(), e, bind); err != nil {
				return err
			}
			dst.SetMapIndex(it.Key(), e)
		}
	case reflect.Struct:
		for _, f := range n.fields {
			if err := fromWire(f.n, src.Field(f.dst), dst.Field(f.src), bind); err != nil {
				return err
			}
		}
	}
	return nil
}

func eachFrom(n *node, src, dst reflect.Value, bind func(uint32, reflect.Type) (reflect.Value, error)) error {
	for i := range src.Len() {
		if err := fromWire(n, src.Index(i), dst.Index(i), bind); err != nil {
			return err
		}
	}
	return nil
}
