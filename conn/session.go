package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/netchan/netchan/internal/wire"
)

// MainStream is the id of the stream every session opens with its
// handshake: the values of the channel pair the session was made for.
const MainStream = 1

// MaxValueLimit is the largest value size an end may accept. Frame lengths
// are 32 bits; this keeps well clear of them.
const MaxValueLimit = 1 << 30

// Session is one end of a netchan session: streams of values between a
// dialer and a listener, carried by one network connection at a time. When
// the connection breaks, the session outlives it for the resume window: the
// dialer dials again and resumes, each end sends again what the other had
// not received, and the streams go on as if nothing happened.
//
// A session owns two goroutines: one that runs it and writes frames, and
// one that reads the connection of the moment. Close ends it and waits for
// both. All methods are safe for concurrent use.
type Session struct {
	cfg      *Config
	role     wire.Role
	id       []byte
	secret   []byte     // keys resume proofs; never sent
	peer     wire.Hello // the peer's first hello
	capacity int
	window   time.Duration // the resume window; 0: a cut ends the session
	addr     string        // the address a dialer dials again
	release  func()        // runs once the session ended; may be nil

	wmu      gosync.Mutex  // held while writing: by the writer, or a caller (flush)
	inline   []byte        // a caller's batch buffer, guarded by wmu
	wake     chan struct{} // capacity 1: there are frames to write
	adopt    chan struct{} // capacity 1: a listener's session has a new connection
	received atomic.Uint64 // bytes of numbered frames received; the reader's
	ackedAt  atomic.Uint64 // the count in the last ack written; the writer's
	values   [][]byte      // the values of the frame being read; the reader's

	mu       gosync.Mutex
	space    *gosync.Cond // the log's unwritten part shrank, or the session ended
	log      sendLog
	credits  []credit // credits not yet in the log, by stream
	streams  map[uint32]*Stream
	main     *Stream
	nextID   uint32    // the id of the next stream this end opens
	permits  uint64    // streams this end may still open
	peerNext uint32    // the id the peer's next stream must have
	peerOpen int       // streams the peer opened and this end has not forgotten
	accepted []*Stream // streams the peer opened, waiting for Accept
	acceptCh chan struct{}
	pingDue  bool     // the watchdog asks for a ping
	byeDue   bool     // a goodbye went into a batch: credits after it cannot go
	handing  int      // hand-overs under way, which the goodbye waits for: see Stream.HandOver
	cur      *carrier // the connection of the moment; nil while broken
	last     *carrier // the latest connection, kept for its addresses
	next     *carrier // a listener's: a resumed connection to take over
	counter  uint64   // a dialer's resumes, or the last a listener accepted
	resumes  int      // resumes that succeeded
	rtt      rttProbe // times round trips: see Stats
	closing  bool     // Close was called: flush, say goodbye, end
	// A Close that resumes through cuts until the peer acknowledged every
	// frame: see CloseContext. gaveUp is why it stopped short, if it did.
	resumeClosing bool
	gaveUp        error
	byeRead       bool // a listener answered a resume that our goodbye arrived
	peerBye       *wire.GoAway
	err           error // why the session ended
	ending        chan struct{}
	done          chan struct{}
	listener      *Listener // a listener's session: the listener that holds it

	// Guarded by mu too: how the session ended, for AfterDone and Flushed.
	finished  bool     // the session's goroutine is done
	flushed   bool     // see Flushed
	afterDone []func() // to run once finished

	// ctx ends when the session starts ending, or a CloseContext gives
	// up, and stops a resume under way.
	ctx    context.Context
	cancel context.CancelFunc
}

// credit is a count of credits owed on a stream.
type credit struct {
	stream uint32
	n      uint64
}

// newSession makes the session a handshake agreed on, with its main
// stream; start runs it.
func newSession(cfg *Config, role wire.Role, local, peer wire.Hello, secret []byte) *Session {
	s := &Session{
		cfg:      cfg,
		role:     role,
		id:       peer.Session,
		secret:   secret,
		peer:     peer,
		capacity: min(cfg.Capacity, int(peer.Capacity)),
		window:   time.Duration(min(local.Window, peer.Window)) * time.Millisecond,
		wake:     make(chan struct{}, 1),
		adopt:    make(chan struct{}, 1),
		streams:  map[uint32]*Stream{},
		permits:  peer.MaxStreams,
		acceptCh: make(chan struct{}, 1),
		ending:   make(chan struct{}),
		done:     make(chan struct{}),
	}
	if role == wire.RoleListener {
		s.id = local.Session
		s.nextID, s.peerNext = 2, 3
	} else {
		s.nextID, s.peerNext = 3, 2
	}
	s.space = gosync.NewCond(&s.mu)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	var in Inbox
	if cfg.Inbox != nil {
		in = cfg.Inbox(s, max(s.capacity, 1))
	}
	s.main = newStream(s, MainStream, s.capacity, nil, in)
	s.streams[MainStream] = s.main
	return s
}

// start runs the session on its first connection.
func (s *Session) start(c *carrier) {
	s.mu.Lock()
	s.adoptLocked(c)
	s.mu.Unlock()
	go s.run(c)
}

// adoptLocked makes c the session's connection of the moment. c is ready
// before anything can find it there: a listener's handshake may end it
// at once, from another goroutine, when the dialer resumes on another.
func (s *Session) adoptLocked(c *carrier) {
	c.s = s
	c.turn.init(c, s.capacity == 0)
	s.cur, s.last = c, c
	s.rtt.reset()
}

// Main returns the session's main stream.
func (s *Session) Main() *Stream { return s.main }

// Capacity returns the main stream's capacity, the smaller of the two
// ends' offers; 0 means rendezvous.
func (s *Session) Capacity() int { return s.capacity }

// PeerMaxValue returns the largest encoded value the peer accepts.
func (s *Session) PeerMaxValue() int { return int(min(s.peer.MaxValue, MaxValueLimit)) }

// ResumeWindow returns how long the session outlives a broken connection.
func (s *Session) ResumeWindow() time.Duration { return s.window }

// Resumes returns how many times the session resumed on a new connection.
func (s *Session) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumes
}

// PeerType returns the name the peer gave the type of its main stream's
// values.
func (s *Session) PeerType() string { return s.peer.TypeName }

// LocalAddr returns the local address of the session's connection: the
// first one's, or the latest one's after a resume.
func (s *Session) LocalAddr() net.Addr { return s.lastCarrier().nc.LocalAddr() }

// RemoteAddr returns the peer's address on the session's connection: the
// first one's, or the latest one's after a resume.
func (s *Session) RemoteAddr() net.Addr { return s.lastCarrier().nc.RemoteAddr() }

// AboutPeer returns err naming the session's peer, by its address on the
// session's connection, unless it does already: an error about one
// session, where a listener has many.
func (s *Session) AboutPeer(err error) error {
	return withPeer(err, s.RemoteAddr().String())
}

// ConnectionState returns the TLS state of the session's connection, with
// the peer's verified chains under mutual TLS, or the zero value on an
// insecure session.
func (s *Session) ConnectionState() tls.ConnectionState {
	if tc, ok := s.lastCarrier().nc.(*tls.Conn); ok {
		return tc.ConnectionState()
	}
	return tls.ConnectionState{}
}

// lastCarrier returns the connection of the moment, or the last one.
func (s *Session) lastCarrier() *carrier {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Done is closed when the session has ended and its goroutines returned.
func (s *Session) Done() <-chan struct{} { return s.done }

// Ending is closed as soon as the session starts ending, when Err becomes
// non-nil: from then on no value can be sent, though Done may follow only
// after the last frames were flushed.
func (s *Session) Ending() <-chan struct{} { return s.ending }

// Err returns why the session ended: nil while it is open, ErrClosed after
// this end closed it, or the first failure; once a CloseContext stopped
// short of the peer's acknowledgement of every frame, why it did.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the session: what is queued is flushed (for at most a short
// linger if the peer does not read), the peer is told, and Close waits for
// the session's goroutines and the functions given to AfterDone. A cut
// ends it there, without a resume; so does Close during a CloseContext,
// which it stops. It is idempotent and returns nil.
func (s *Session) Close() error {
	s.close(false)
	<-s.done
	return nil
}

// CloseContext is Close, which goes on through cuts until the peer's
// session acknowledged every frame this end queued, its goodbye included:
// the session resumes as it would open, for at most its resume window,
// and stops short when ctx ends. Without it, a connection cut as the
// session closes would take the last values and the close with it, and
// neither end could tell which arrived. Flushed says whether they did;
// Err wraps ErrSessionLost when the session was lost meanwhile.
func (s *Session) CloseContext(ctx context.Context) error {
	s.close(true)
	select {
	case <-s.done:
	case <-ctx.Done():
		s.close(false)
		<-s.done
	}
	return nil
}

// close starts ending the session by this end's will; resume says whether
// it goes on through cuts. A close that does not resume stops one that
// does.
func (s *Session) close(resume bool) {
	s.mu.Lock()
	switch {
	case !s.closing && s.err == nil:
		s.closing, s.resumeClosing = true, resume
		s.endLocked(ErrClosed)
	case !resume && s.resumeClosing:
		s.giveUpLocked(fmt.Errorf("%w: closed before the peer acknowledged the last frames", ErrClosed))
	}
	s.mu.Unlock()
	s.signal()
}

// giveUpLocked stops a closing session's resume with err, the session's
// error unless every frame is acknowledged by the time it stops.
func (s *Session) giveUpLocked(err error) {
	s.resumeClosing = false
	if s.gaveUp == nil {
		s.gaveUp = err
	}
	s.cancel()
}

// Abort starts ending the session because of err, which the peer is told;
// Done is closed when it has ended. Layers above use it when a peer sent
// something they cannot accept, such as a value beyond a codec's limits.
// Abort does not wait, so it may be called with locks held.
func (s *Session) Abort(err error) {
	s.mu.Lock()
	s.endLocked(err)
	s.mu.Unlock()
	s.signal()
}

// endLocked records why the session ends, once, and wakes everything that
// waits for it. The writer then flushes, says goodbye and stops.
func (s *Session) endLocked(err error) {
	if s.err != nil {
		if s.resumeClosing && errors.Is(err, ErrSessionLost) {
			s.giveUpLocked(err) // no resume can come, or the window passed
		}
		return
	}
	if s.last != nil && !errors.Is(err, ErrClosed) {
		err = withPeer(err, s.last.nc.RemoteAddr().String())
	}
	s.err = err
	close(s.ending)
	if !s.resumeClosing {
		s.cancel()
	}
	s.signal() // the writer says goodbye
	s.space.Broadcast()
	for _, st := range s.streams {
		st.fail(err)
	}
}

// signal wakes the writer.
func (s *Session) signal() { signal(s.wake) }

// grant queues n credits for a stream. Once the session is ending they
// still go, before its goodbye: a program that took a value as the
// session started ending received it, and the peer must not count it
// undelivered.
func (s *Session) grant(id uint32, n uint64) {
	s.mu.Lock()
	if s.byeDue || s.finished {
		s.mu.Unlock()
		return
	}
	s.addCreditLocked(id, n)
	s.mu.Unlock()
	s.flush()
}

func (s *Session) addCreditLocked(id uint32, n uint64) {
	if i := slices.IndexFunc(s.credits, func(c credit) bool { return c.stream == id }); i >= 0 {
		s.credits[i].n += n
	} else {
		s.credits = append(s.credits, credit{id, n})
	}
}

// MaxOpenCapacity is the capacity a stream opened toward an end may have
// whatever that end's own capacity: an open frame may ask for this, or
// the capacity of the main stream the end offered if that is more. A
// stream's inbox grows as its values arrive (see byteInbox), so what a
// peer makes an end hold is what it sent, within the window and the byte
// budget; the bound keeps the count of values, and so their bookkeeping,
// from growing with a number the peer chose.
const MaxOpenCapacity = 4096

// streamCapacityLimit is the largest capacity of a stream opened toward an
// end whose main stream has capacity c.
func streamCapacityLimit(c int) int { return max(c, MaxOpenCapacity) }

// PeerMaxStreamCapacity returns the largest capacity of a stream this end
// may open: MaxOpenCapacity, or the capacity the peer offered if more.
func (s *Session) PeerMaxStreamCapacity() int { return streamCapacityLimit(int(s.peer.Capacity)) }

// Open opens a stream of the given capacity, whose open frame carries meta
// to the peer; values sent on it go to in (nil: kept as bytes). It does not
// wait: the peer learns of the stream with its first frame, and values may
// follow at once. It fails with ErrLimit when this end has as many streams
// open as the peer allows, or capacity is above PeerMaxStreamCapacity.
func (s *Session) Open(capacity int, meta []byte, in Inbox) (*Stream, error) {
	if capacity < 0 || capacity > wire.MaxCapacity || len(meta) > wire.MaxMeta {
		return nil, fmt.Errorf("netchan: stream of capacity %d with %d bytes of meta is out of range", capacity, len(meta))
	}
	if limit := s.PeerMaxStreamCapacity(); capacity > limit {
		return nil, fmt.Errorf("%w: a stream of capacity %d, the peer takes streams of at most %d", ErrLimit, capacity, limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	if s.permits == 0 {
		return nil, fmt.Errorf("%w: the peer allows %d streams open at once", ErrLimit, s.peer.MaxStreams)
	}
	if s.nextID > maxStreamID {
		return nil, fmt.Errorf("%w: this session opened all the streams it may", ErrLimit)
	}
	s.permits--
	id := s.nextID
	s.nextID += 2
	st := newStream(s, id, capacity, meta, in)
	s.streams[id] = st
	s.log.open(id, wire.Open{Capacity: uint64(capacity), Meta: meta})
	s.signal()
	return st, nil
}

// maxStreamID is the last id an end opens: ids never wrap.
const maxStreamID = 1<<32 - 3

// Accept waits for the next stream the peer opens.
func (s *Session) Accept(ctx context.Context) (*Stream, error) {
	for {
		s.mu.Lock()
		if len(s.accepted) > 0 {
			st := s.accepted[0]
			s.accepted = s.accepted[1:]
			st.claimed = true
			s.mu.Unlock()
			return st, nil
		}
		err := s.err
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-s.acceptCh:
		case <-s.ending:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// peerOpened is called by the reader for an open frame.
func (s *Session) peerOpened(id uint32, o wire.Open) error {
	if limit := streamCapacityLimit(s.cfg.Capacity); o.Capacity > uint64(limit) {
		return fmt.Errorf("%w: peer opened stream %d of capacity %d, above the %d of this end", ErrLimit, id, o.Capacity, limit)
	}
	var in Inbox
	if s.cfg.OpenInbox != nil {
		var err error
		if in, err = s.cfg.OpenInbox(o.Meta, max(int(o.Capacity), 1)); err != nil {
			return err
		}
	}
	meta := append([]byte(nil), o.Meta...)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case id != s.peerNext || id > maxStreamID:
		return fmt.Errorf("%w: peer opened stream %d, the next of its streams is %d", ErrProtocol, id, s.peerNext)
	case s.peerOpen >= s.cfg.MaxStreams:
		return fmt.Errorf("%w: peer opened a stream beyond the %d it may have open", ErrLimit, s.cfg.MaxStreams)
	}
	s.peerNext += 2
	s.peerOpen++
	st := newStream(s, id, int(o.Capacity), meta, in)
	s.streams[id] = st
	s.accepted = append(s.accepted, st)
	signal(s.acceptCh)
	return nil
}

// retireLocked forgets a stream once both of its directions are done: this
// end closed its side and the peer's program took every value, and the
// peer closed its side and this end's program saw it. A stream the peer
// opened then lets it open another.
func (s *Session) retireLocked(st *Stream) {
	if st.id == MainStream || !st.sendClosed || !st.recvDone || st.send.Outstanding() > 0 {
		return
	}
	if s.streams[st.id] != st {
		return
	}
	delete(s.streams, st.id)
	if st.id%2 != s.nextID%2 {
		s.peerOpen--
		s.log.count(wire.KindStreams, 0, 1)
		s.signal()
	}
}

// stream returns the stream with the given id, for the reader.
func (s *Session) stream(id uint32) (*Stream, error) {
	if id == MainStream {
		return s.main, nil
	}
	s.mu.Lock()
	st := s.streams[id]
	s.mu.Unlock()
	if st == nil {
		return nil, fmt.Errorf("%w: frame for stream %d, which is not open", ErrProtocol, id)
	}
	return st, nil
}

// morePermits is called by the reader for a streams frame.
func (s *Session) morePermits(n uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n == 0 || s.permits+n > s.peer.MaxStreams {
		return fmt.Errorf("%w: peer allowed %d more streams, above the %d it announced", ErrProtocol, n, s.peer.MaxStreams)
	}
	s.permits += n
	return nil
}

// credited is called by the reader for a credit frame. A stream this end
// closed may be done with it.
func (s *Session) credited(st *Stream, n uint64) error {
	if err := st.send.Grant(n); err != nil {
		return fmt.Errorf("%w: stream %d: %w", ErrProtocol, st.id, err)
	}
	if f := st.onAck.Load(); f != nil {
		(*f)(st.send.Acknowledged())
	}
	if st.id != MainStream {
		s.mu.Lock()
		s.retireLocked(st)
		s.mu.Unlock()
	}
	return nil
}

// errLost is the error of a session that could not resume.
func errLost(why error) error {
	if errors.Is(why, ErrSessionLost) {
		return why
	}
	return fmt.Errorf("%w: %w", ErrSessionLost, why)
}
