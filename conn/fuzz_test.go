package conn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// encoded returns frames as the session's own encoders write them: the
// log's numbered frames, then the writer's own.
func encoded(numbered func(l *sendLog), own ...[]byte) []byte {
	var l sendLog
	numbered(&l)
	b := l.take(nil, 1<<20)
	for _, f := range own {
		b = append(b, f...)
	}
	return b
}

// ownFrame is a frame the writer adds to a batch: ack, ping, goaway.
func ownFrame(kind wire.Kind, payload []byte) []byte {
	return appendFrame(nil, kind, 0, func(b []byte) []byte { return append(b, payload...) })
}

// readerSeeds are frame sequences an honest or a broken peer might send
// after the handshake, written by the session's encoders.
func readerSeeds() [][]byte {
	return [][]byte{
		encoded(func(l *sendLog) {
			l.data(MainStream, 0, []byte("a"))
			l.data(MainStream, 1, []byte("b"))
			l.count(wire.KindClose, MainStream, 2)
		}),
		encoded(func(l *sendLog) { l.data(MainStream, 0, []byte("a")) },
			ownFrame(wire.KindGoAway, wire.AppendGoAway(nil, wire.GoAway{Code: wire.CodeNormal, Reason: "bye"}))),
		encoded(func(l *sendLog) {
			l.open(3, wire.Open{Capacity: 1, Meta: []byte("meta")})
			l.open(2, wire.Open{Capacity: 4})
			l.data(3, 0, []byte("on 3"))
			l.data(2, 0, []byte("on 2"))
			l.count(wire.KindClose, 3, 1)
			l.count(wire.KindClose, 2, 1)
			l.count(wire.KindStreams, 0, 1)
		}),
		encoded(func(l *sendLog) { l.count(wire.KindCredit, MainStream, 1) }),
		encoded(func(l *sendLog) {}, ownFrame(wire.KindAck, wire.AppendCount(nil, 0)), ownFrame(wire.KindPing, nil)),
		encoded(func(l *sendLog) {
			l.data(MainStream, 0, []byte("a"))
			l.data(MainStream, 1, []byte("b"))
			l.data(MainStream, 2, []byte("c"))
		}),
		encoded(func(l *sendLog) {
			l.count(wire.KindClose, MainStream, 0)
			l.count(wire.KindClose, MainStream, 0)
		}),
		encoded(func(l *sendLog) { l.data(9, 0, []byte("stray")) }),
		helloFrame(honestHello(testConfig(), wire.RoleDialer)),
		ownFrame(wire.KindGoAway, wire.AppendGoAway(nil, wire.GoAway{Code: wire.CodeProtocol, Reason: "you broke it"})),
		header(wire.KindData, MainStream, 0xFFFFFFFF),
		encoded(func(l *sendLog) { l.data(MainStream, 0, []byte("truncated")) })[:12],
		ownFrame(wire.KindAck, wire.AppendCount(nil, 1<<40)),
		encoded(func(l *sendLog) {
			logValues(l, MainStream, 0, []byte("a"), nil)
			l.data(MainStream, 2, []byte("c"))
			l.count(wire.KindClose, MainStream, 3)
		}),
		encoded(func(l *sendLog) { logValues(l, MainStream, 0, []byte("v0"), []byte("v1"), []byte("v2")) }),
		encoded(func(l *sendLog) {
			l.open(3, wire.Open{Capacity: 4})
			logValues(l, 3, 0, []byte{0}, []byte{1})
		}),
		valuesFrame(MainStream, 0, "a", string(make([]byte, 1025))),
		header(wire.KindValues, MainStream, wire.MaxValuesPayload+1),
		frameBytes(wire.KindValues, MainStream, []byte{0, 5, 'a'}),
	}
}

// logValues appends a values frame of values to l, the first numbered seq.
func logValues(l *sendLog, stream uint32, seq uint64, values ...[]byte) {
	size, _ := wire.ValuesSize(seq, len(values), func(i int) int { return len(values[i]) })
	l.values(stream, seq, size, 0, len(values), func(i int) []byte { return values[i] })
}

// FuzzReader feeds a handshaken session arbitrary bytes as frames from
// its peer, who then hangs up. The session must not panic, must end within
// testkit.Patience, and must say why with an error of its own kind. Each
// input is read four times: by a dialer's session and a listener's, each
// buffered, where the reader goroutine reads, and rendezvous, where a
// goroutine waiting for a value reads for itself.
func FuzzReader(f *testing.F) {
	for _, s := range readerSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, role := range []wire.Role{wire.RoleDialer, wire.RoleListener} {
			for _, capacity := range []int{2, 0} {
				cfg := testConfig()
				cfg.Capacity = capacity
				s, p, closeListener := pipeSession(t, role, cfg)
				drained := p.drain()
				taking := takeEverything(s)
				_, _ = p.nc.Write(b) // fails once the session gave up
				_ = p.nc.Close()
				err := ended(t, s)
				<-drained
				<-taking
				closeListener()
				if !classified(err) {
					t.Fatalf("%s, capacity %d: the session ended with an unclassified error: %v", role, capacity, err)
				}
			}
		}
	})
}

// takeEverything takes every value and stream the session receives until
// it ends, as a program would; the channel closes then.
func takeEverything(s *Session) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		take := func(st *Stream) {
			for {
				m, err := st.Next(context.Background())
				if err != nil {
					if errors.Is(err, io.EOF) {
						st.TookClose()
					}
					return
				}
				m.Release()
				st.Take()
			}
		}
		go take(s.Main())
		for {
			st, err := s.Accept(context.Background())
			if err != nil {
				return
			}
			go take(st)
		}
	}()
	return done
}

func classified(err error) bool {
	for _, known := range []error{ErrProtocol, ErrTooLarge, ErrConnLost, ErrPeerClosed, ErrLimit, ErrHandshake, ErrSessionLost} {
		if errors.Is(err, known) {
			return true
		}
	}
	return false
}

// FuzzHandshake gives arbitrary bytes as the peer's side of a handshake,
// to a listener (as the dialer's hello) and to a dialer (as the
// listener's answer). Each handshake must succeed, or fail with a
// classified error, within the handshake timeout and a margin.
func FuzzHandshake(f *testing.F) {
	cfg := testConfig()
	dialer, listener := honestHello(cfg, wire.RoleDialer), honestHello(cfg, wire.RoleListener)
	dialer.Nonce, listener.Nonce = bytes.Repeat([]byte{1}, wire.NonceSize), bytes.Repeat([]byte{2}, wire.NonceSize)
	listener.Session = bytes.Repeat([]byte{3}, wire.SessionIDSize)
	resume := dialer
	resume.Nonce, resume.Session, resume.Counter, resume.MAC = nil, listener.Session, 1, bytes.Repeat([]byte{4}, wire.MACSize)
	for _, h := range []wire.Hello{dialer, listener, resume} {
		f.Add(helloFrame(h))
	}
	f.Add(append(helloFrame(dialer), dataFrame(MainStream, 0, "early")...))
	f.Add(helloFrame(wire.Hello{Version: 9, Role: wire.RoleDialer, Codec: "gob", Capacity: 1 << 20, MaxValue: 1, Proof: make([]byte, 32)}))
	f.Add(v1Hello(wire.RoleDialer))
	f.Add(ownFrame(wire.KindGoAway, wire.AppendGoAway(nil, wire.GoAway{Code: wire.CodeRefused, Reason: "no"})))
	f.Add(ownFrame(wire.KindGoAway, wire.AppendGoAway(nil, wire.GoAway{Code: wire.CodeSessionLost, Reason: "who?"})))
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x10, 0x01, 0x00, 0x00, 0x0c})
	f.Add(helloFrame(dialer)[:20])
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg := testConfig()
		cfg.HandshakeTimeout = 200 * time.Millisecond
		cfg.ResumeWindow = 0
		check := func(role string, err error, took time.Duration) {
			if took > cfg.HandshakeTimeout+testkit.Patience {
				t.Fatalf("%s: the handshake took %v", role, took)
			}
			var g *GoAwayError
			if err != nil && !errors.Is(err, ErrHandshake) && !errors.Is(err, ErrCodecMismatch) &&
				!errors.Is(err, ErrAuth) && !errors.Is(err, ErrTypeMismatch) && !errors.Is(err, ErrSessionLost) && !errors.As(err, &g) {
				t.Fatalf("%s: the handshake failed with an unclassified error: %v", role, err)
			}
		}

		// To a listener.
		lcfg := *cfg
		errs := collectErrors(&lcfg)
		pl := newPipeListener()
		l, err := Serve(pl, &lcfg)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		nc, _ := pl.dial()
		feed(nc, b)
		ctx, cancel := context.WithTimeout(context.Background(), cfg.HandshakeTimeout+testkit.Patience)
		select {
		case err := <-errs:
			check("listener", err, time.Since(start))
		case s := <-acceptAsync(ctx, l):
			if s != nil {
				check("listener", nil, time.Since(start))
				_ = s.Close()
			} else {
				t.Fatal("the listener's handshake did not end")
			}
		}
		cancel()
		_ = l.Close()

		// To a dialer.
		dialer, far := pipeDialer()
		dcfg := *cfg
		dcfg.Dialer = dialer
		start = time.Now()
		dialed := dialAsync("pipe", &dcfg)
		nc, _ = testkit.Recv(t, far)
		feed(nc, b)
		r, _ := testkit.Recv(t, dialed)
		check("dialer", r.err, time.Since(start))
		if r.s != nil {
			_ = r.s.Close()
		}
	})
}

// feed writes b to nc, drains what comes back, and closes nc, in a
// goroutine of its own: the peer may stop reading at any point.
func feed(nc net.Conn, b []byte) {
	go func() {
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			_, _ = io.Copy(io.Discard, nc)
		}()
		_, _ = nc.Write(b)
		_ = nc.Close()
		<-drained
	}()
}

// acceptAsync accepts one session from l; the channel yields nil if ctx
// ends first.
func acceptAsync(ctx context.Context, l *Listener) <-chan *Session {
	got := make(chan *Session, 1)
	go func() {
		s, _ := l.Accept(ctx)
		got <- s
	}()
	return got
}
