module github.com/netchan/netchan/codec/msgpack

go 1.26.0

require (
	github.com/netchan/netchan v0.0.0-20261204191845-a013ac348140
	github.com/vmihailenco/msgpack/v5 v5.4.1
	go.uber.org/goleak v1.3.0
)

require (
	github.com/fxamacker/cbor/v2 v2.10.0 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	pgregory.net/rapid v1.3.0 // indirect
)

// Builds in this repository, CI's among them, use the tree around the
// module; a user's build ignores this line and takes the version required.
replace github.com/netchan/netchan => ../..
