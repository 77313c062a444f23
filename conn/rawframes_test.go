package conn

import (
	"github.com/netchan/netchan/internal/wire"
)

// frame is one frame as the raw peer read it.
type frame struct {
	wire.Header
	Payload []byte
}

func frameBytes(kind wire.Kind, stream uint32, payload []byte) []byte {
	b := wire.AppendHeader(nil, wire.Header{Length: uint32(len(payload)), Kind: kind, Stream: stream})
	return append(b, payload...)
}

func helloFrame(h wire.Hello) []byte {
	return frameBytes(wire.KindHello, 0, wire.AppendHello(nil, h))
}

func dataFrame(stream uint32, seq uint64, value string) []byte {
	return frameBytes(wire.KindData, stream, append(wire.AppendDataPrefix(nil, seq), value...))
}

// valuesFrame is a values frame of the given values, the first numbered seq.
func valuesFrame(stream uint32, seq uint64, values ...string) []byte {
	p := wire.AppendDataPrefix(nil, seq)
	for _, v := range values {
		p = wire.AppendValue(p, []byte(v))
	}
	return frameBytes(wire.KindValues, stream, p)
}

func countFrame(kind wire.Kind, stream uint32, n uint64) []byte {
	return frameBytes(kind, stream, wire.AppendCount(nil, n))
}

func openFrame(stream uint32, capacity uint64, meta string) []byte {
	return frameBytes(wire.KindOpen, stream, wire.AppendOpen(nil, wire.Open{Capacity: capacity, Meta: []byte(meta)}))
}

func goAwayFrame(code wire.Code, reason string) []byte {
	return frameBytes(wire.KindGoAway, 0, wire.AppendGoAway(nil, wire.GoAway{Code: code, Reason: reason}))
}

// header is a frame header alone, claiming a payload of length bytes.
func header(kind wire.Kind, stream uint32, length uint32) []byte {
	return wire.AppendHeader(nil, wire.Header{Length: length, Kind: kind, Stream: stream})
}

// honestHello is the hello an end of cfg in role sends, without the
// fields that depend on the connection: proof, session, MAC, nonce.
func honestHello(cfg *Config, role wire.Role) wire.Hello {
	return wire.Hello{
		Version:    wire.Version,
		Role:       role,
		Codec:      cfg.Codec,
		Capacity:   uint64(cfg.Capacity),
		MaxValue:   uint64(cfg.MaxValue),
		Idle:       uint64(cfg.IdleTimeout.Milliseconds()),
		Window:     uint64(cfg.ResumeWindow.Milliseconds()),
		MaxStreams: uint64(cfg.MaxStreams),
		TypeName:   cfg.TypeName,
		TypeShape:  cfg.TypeShape,
	}
}
