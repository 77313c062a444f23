// Package wire holds netchan's frame format: the frame kinds and, for each, a
// value type with Append and Parse functions. It does no I/O.
//
// Every frame starts with a fixed header (see [Header]); the bytes after it are
// the frame's payload, whose layout depends on the kind. PROTOCOL.md at the root
// of the module is the specification this package implements.
package wire
