// Package typed gives netchan connections as methods with a type: Send and
// Recv of values of type T, each with a context and an error, for code that
// needs to know what happened to each value.
//
// The channel API of package netchan runs on the same connections and data
// path, so both APIs share one set of semantics, described on [Conn]. Values
// may hold channels, which travel as the root package's documentation says
// under "Channels in values": Send fails with netchan.ErrLimit for a value
// whose channels the peer does not allow now, and with netchan.ErrChanInUse
// for one holding a channel netchan carries already; nothing of such a value
// is sent, and the connection goes on.
package typed

import "github.com/netchan/netchan/internal/options"

// Option is netchan.Option: make options with the root package's functions,
// such as netchan.WithBuffer and netchan.WithTLS.
type Option = options.Option
