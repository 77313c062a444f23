module github.com/netchan/netchan

go 1.26.0

require (
	github.com/fxamacker/cbor/v2 v2.10.0
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.25.0
	pgregory.net/rapid v1.3.0
)

require github.com/x448/float16 v0.8.4 // indirect
