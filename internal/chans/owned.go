package chans

import (
	"errors"
	"fmt"
	"reflect"
	gosync "sync"
)

// ErrInUse is returned for a channel sent in a value while netchan already
// carries it: one channel is one stream, bound to one peer.
var ErrInUse = errors.New("netchan: channel sent again while netchan still carries it")

// owned holds the channels netchan carries now, in this process, by their
// identity: a channel is pumped by one stream at a time, so that two pumps
// never close it twice nor share out its values.
var owned gosync.Map // unsafe pointer of the channel → struct{}

// Own marks ch as carried, or fails with ErrInUse if it is already.
func Own(ch reflect.Value) error {
	if _, loaded := owned.LoadOrStore(ch.UnsafePointer(), struct{}{}); loaded {
		return fmt.Errorf("%w (%v)", ErrInUse, ch.Type())
	}
	return nil
}

// Release ends Own: ch may be sent again.
func Release(ch reflect.Value) { owned.Delete(ch.UnsafePointer()) }
