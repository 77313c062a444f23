// Package endpoint moves values of one Go type over a session's main
// stream: it encodes them, decodes them as they arrive, keeps the values
// the peer has not acknowledged, and connects Go channels to a connection
// for the channel API of package netchan. Package typed is its public face.
package endpoint
