package netchan_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// request carries its reply channel.
type request struct {
	N     int
	Reply chan<- int
}

// subscription carries a stream the client keeps sending on.
type subscription struct {
	Topic   string
	Updates <-chan int
}

// chanPair returns a connected pair of typed connections of T over
// loopback, the listener's end first; the test's cleanup closes them.
func chanPair[T any](t *testing.T, ctx context.Context, opts ...netchan.Option) (server, client *typed.Conn[T], log *errorLog) {
	t.Helper()
	log = &errorLog{}
	opts = append([]netchan.Option{netchan.Insecure(), netchan.OnError(log.add)}, opts...)
	l, err := typed.Listen[T](ctx, "127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	client, err = typed.Dial[T](ctx, l.Addr().String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err = l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return server, client, log
}

// answer serves requests on c, each in a goroutine of its own that sends
// the square of its number on its reply channel and closes it, until c
// ends; wg waits for them all.
func answer(ctx context.Context, c *typed.Conn[request], wg *sync.WaitGroup) {
	wg.Go(func() {
		for {
			r, err := c.Recv(ctx)
			if err != nil {
				return
			}
			wg.Go(func() {
				select {
				case r.Reply <- r.N * r.N:
					close(r.Reply)
				case <-ctx.Done():
				}
			})
		}
	})
}

// awaitReply receives the one reply on reply, then its close.
func awaitReply(t *testing.T, ctx context.Context, reply <-chan int, want int) {
	t.Helper()
	select {
	case got := <-reply:
		if got != want {
			t.Fatalf("reply %d, want %d", got, want)
		}
	case <-ctx.Done():
		t.Fatalf("no reply %d", want)
	}
	select {
	case v, ok := <-reply:
		if ok {
			t.Fatalf("a second reply %d, want the close", v)
		}
	case <-ctx.Done():
		t.Fatal("reply channel not closed after the reply")
	}
}

func TestReplyChannelEveryCodec(t *testing.T) {
	for _, c := range []codec.Codec{codec.CBOR(), codec.Gob(), codec.JSON()} {
		for _, buf := range []int{0, 1, 5} {
			t.Run(fmt.Sprintf("%s/cap=%d", c.Name(), buf), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
				defer cancel()
				var wg sync.WaitGroup
				defer wg.Wait()
				defer cancel()
				// The main stream is a rendezvous for one capacity, so that
				// its goroutines read their own frames (the turn).
				main := netchan.WithBuffer(64)
				if buf == 1 {
					main = netchan.Sync()
				}
				server, client, _ := chanPair[request](t, ctx, netchan.WithCodec(c), main)
				answer(ctx, server, &wg)
				for i := range 20 {
					reply := make(chan int, buf)
					if err := client.Send(ctx, request{N: i, Reply: reply}); err != nil {
						t.Fatal(err)
					}
					awaitReply(t, ctx, reply, i*i)
				}
			})
		}
	}
}

// The channel API carries reply channels too, from the dialer to the
// listener and from the listener to the dialer.
func TestReplyChannelChannelAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	addr, ls, lr, log := listenLogged[request](t, ctx, netchan.Insecure())
	ds, dr, err := netchan.Dial[request](ctx, addr, netchan.Insecure(), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		reply := make(chan int, i%2)
		testkit.Send(t, ds, request{N: i, Reply: reply})
		r, _ := testkit.Recv(t, lr)
		testkit.Send(t, r.Reply, r.N*r.N)
		close(r.Reply)
		awaitReply(t, ctx, reply, i*i)

		reply = make(chan int, i%2)
		testkit.Send(t, ls, request{N: i, Reply: reply})
		r, _ = testkit.Recv(t, dr)
		testkit.Send(t, r.Reply, -r.N)
		close(r.Reply)
		awaitReply(t, ctx, reply, -i)
	}
	close(ds)
	if errs := log.all(); len(errs) > 0 {
		t.Fatalf("errors reported: %v", errs)
	}
}

// A thousand requests at once over one connection, each with its own reply
// channel, are each answered exactly once.
func TestThousandConcurrentRequests(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	server, client, log := chanPair[request](t, ctx)
	answer(ctx, server, &wg)
	const n = 1000
	errs := make(chan error, n)
	var clients sync.WaitGroup
	for i := range n {
		clients.Go(func() {
			reply := make(chan int, i%2)
			if err := client.Send(ctx, request{N: i, Reply: reply}); err != nil {
				errs <- err
				return
			}
			got, ok := <-reply
			if _, again := <-reply; !ok || again || got != i*i {
				errs <- errors.New("wrong reply")
			}
		})
	}
	clients.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if errs := log.all(); len(errs) > 0 {
		t.Fatalf("errors reported: %v", errs)
	}
}

// A stream channel carries what the client goes on sending on it, in
// order, then its close.
func TestStreamChannel(t *testing.T) {
	for _, buf := range []int{0, 3} {
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		defer cancel()
		server, client, _ := chanPair[subscription](t, ctx)
		updates := make(chan int, buf)
		if err := client.Send(ctx, subscription{Topic: "t", Updates: updates}); err != nil {
			t.Fatal(err)
		}
		sub, err := server.Recv(ctx)
		if err != nil || sub.Topic != "t" {
			t.Fatalf("Recv: %v, %v", sub, err)
		}
		go func() {
			for i := range 100 {
				updates <- i
			}
			close(updates)
		}()
		for i := range 100 {
			if v, ok := testkit.Recv(t, sub.Updates); !ok || v != i {
				t.Fatalf("update %d: got %d (open %v)", i, v, ok)
			}
		}
		if v, ok := testkit.Recv(t, sub.Updates); ok {
			t.Fatalf("got %d after the last update, want the close", v)
		}
	}
}

// nested asks for a stream: the server answers with a channel it then
// sends on.
type nested struct {
	Streams chan<- (<-chan int)
}

// A channel of channels: the reply is itself a channel, which the server
// opens from its side.
func TestChannelOfChannels(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	server, client, _ := chanPair[nested](t, ctx)
	streams := make(chan (<-chan int))
	if err := client.Send(ctx, nested{Streams: streams}); err != nil {
		t.Fatal(err)
	}
	req, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		for k := range 3 {
			ch := make(chan int)
			req.Streams <- ch
			for i := range 5 {
				ch <- 10*k + i
			}
			close(ch)
		}
		close(req.Streams)
	})
	for k := range 3 {
		ch, ok := testkit.Recv(t, streams)
		if !ok {
			t.Fatalf("stream %d: streams closed", k)
		}
		for i := range 5 {
			if v, ok := testkit.Recv(t, ch); !ok || v != 10*k+i {
				t.Fatalf("stream %d value %d: got %d (open %v)", k, i, v, ok)
			}
		}
		if _, ok := testkit.Recv(t, ch); ok {
			t.Fatalf("stream %d not closed", k)
		}
	}
	if _, ok := testkit.Recv(t, streams); ok {
		t.Fatal("streams not closed")
	}
}

// A reply channel's original with capacity n lets the peer complete n+1
// sends while the program reads none: n in its buffer, one in netchan's
// hand. The next waits until the program reads.
func TestReplyChannelCapacity(t *testing.T) {
	for _, n := range []int{0, 1, 4} {
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		defer cancel()
		server, client, _ := chanPair[request](t, ctx)
		reply := make(chan int, n)
		if err := client.Send(ctx, request{Reply: reply}); err != nil {
			t.Fatal(err)
		}
		r, err := server.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n + 1 {
			testkit.Send(t, r.Reply, i)
		}
		select {
		case r.Reply <- n + 1:
			t.Fatalf("capacity %d: send %d completed while the program read nothing", n, n+2)
		case <-time.After(testkit.Settle):
		}
		for i := range n + 1 {
			if v, ok := testkit.Recv(t, reply); !ok || v != i {
				t.Fatalf("got %d (open %v), want %d", v, ok, i)
			}
		}
		testkit.Send(t, r.Reply, n+1)
		if v, ok := testkit.Recv(t, reply); !ok || v != n+1 {
			t.Fatalf("got %d (open %v), want %d", v, ok, n+1)
		}
	}
}

// A value holding more channels than the peer lets this end open is
// refused whole with ErrLimit; the connection goes on.
func TestChannelsBeyondLimit(t *testing.T) {
	type many struct{ Replies []chan<- int }
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	server, client, _ := chanPair[many](t, ctx, netchan.WithMaxStreams(2))
	three := many{Replies: []chan<- int{make(chan int), make(chan int), make(chan int)}}
	if err := client.Send(ctx, three); !errors.Is(err, netchan.ErrLimit) {
		t.Fatalf("Send of three channels with a limit of two: %v, want ErrLimit", err)
	}
	two := many{Replies: three.Replies[:2]}
	if err := client.Send(ctx, two); err != nil {
		t.Fatal(err)
	}
	got, err := server.Recv(ctx)
	if err != nil || len(got.Replies) != 2 {
		t.Fatalf("Recv: %d replies, %v", len(got.Replies), err)
	}
}

// A channel that netchan carries already cannot be sent again.
func TestChannelSentTwice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	_, client, _ := chanPair[request](t, ctx)
	reply := make(chan int)
	if err := client.Send(ctx, request{Reply: reply}); err != nil {
		t.Fatal(err)
	}
	if err := client.Send(ctx, request{Reply: reply}); !errors.Is(err, netchan.ErrChanInUse) {
		t.Fatalf("second Send of one channel: %v, want ErrChanInUse", err)
	}
}

// When the session ends, the original of a reply channel not yet closed is
// closed, so that a program waiting for a reply does not wait for ever.
func TestReplyChannelClosedWithSession(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	server, client, _ := chanPair[request](t, ctx)
	reply := make(chan int)
	if err := client.Send(ctx, request{Reply: reply}); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	server.Close()
	if v, ok := testkit.Recv(t, reply); ok {
		t.Fatalf("got %d, want the reply channel closed", v)
	}
}

// When the session ends, a stream channel's field is closed too.
func TestStreamChannelClosedWithSession(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	server, client, _ := chanPair[subscription](t, ctx)
	updates := make(chan int)
	if err := client.Send(ctx, subscription{Updates: updates}); err != nil {
		t.Fatal(err)
	}
	sub, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
	if v, ok := testkit.Recv(t, sub.Updates); ok {
		t.Fatalf("got %d, want the stream closed", v)
	}
}

// A value holding channels that a listener's client had not taken when it
// left is reported as undelivered, and handed to no other client: its
// channels were bound to the session that ended.
func TestChannelsNotRedispatched(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	addr, ls, _, log := listenLogged[request](t, ctx, netchan.Insecure())
	first, stop := context.WithCancel(ctx)
	_, dr, err := netchan.Dial[request](first, addr, netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	reply := make(chan int)
	testkit.Send(t, ls, request{N: 7, Reply: reply})
	testkit.Eventually(t, "the request in the client's buffer", func() bool { return len(dr) == 1 })
	stop() // the client leaves without taking it
	testkit.Eventually(t, "the request reported undelivered", func() bool {
		for _, err := range log.all() {
			var u *netchan.UndeliveredError[request]
			if errors.As(err, &u) && u.Value.N == 7 {
				return true
			}
		}
		return false
	})
	_, dr2, err := netchan.Dial[request](ctx, addr, netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-dr2:
		t.Fatalf("a second client got request %d", r.N)
	case <-time.After(testkit.Settle):
	}
	if v, ok := testkit.Recv(t, reply); ok {
		t.Fatalf("got %d, want the reply channel closed with the session", v)
	}
}

// deep carries a channel of its own type: each value on it may carry the
// next level.
type deep struct{ Next chan<- deep }

// Channels nest, each level opened by the end that received the level
// before, to endpoint.MaxDepth; a value that would open a deeper one is
// refused with ErrLimit and reported.
func TestNestingDepthLimit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	server, client, log := chanPair[deep](t, ctx)
	first := make(chan deep)
	if err := client.Send(ctx, deep{Next: first}); err != nil {
		t.Fatal(err)
	}
	d, err := server.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// field is the far end of orig, a stream of the given depth.
	field, orig := d.Next, first
	for depth := 2; depth <= endpoint.MaxDepth; depth++ {
		ch := make(chan deep)
		testkit.Send(t, field, deep{Next: ch})
		got, ok := testkit.Recv(t, orig)
		if !ok || got.Next == nil {
			t.Fatalf("depth %d: got %+v (open %v)", depth, got, ok)
		}
		field, orig = got.Next, ch
	}
	testkit.Send(t, field, deep{Next: make(chan deep)})
	reported(t, log, "the value one level too deep to be reported", netchan.ErrLimit)
	select {
	case got := <-orig:
		t.Fatalf("a value one level too deep arrived: %+v", got)
	case <-time.After(testkit.Settle):
	}
}

// Streams of channels resume with their session: requests whose replies
// are in flight while the connection is cut, by FIN or reset, are each
// answered exactly once.
func TestReplyChannelsThroughCuts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	log := &errorLog{}
	opts := []netchan.Option{netchan.Insecure(), netchan.OnError(log.add), quietLogger}
	ln := testkit.Loopback(t)
	l, err := typed.Listen[request](ctx, "", append(opts, netchan.WithListener(ln))...)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	proxy := testkit.NewProxy(t, ln.Addr().String())
	client, err := typed.Dial[request](ctx, proxy.Addr(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	answer(ctx, server, &wg)
	const cuts, batch = 8, 25
	for cut := range cuts {
		var requests sync.WaitGroup
		errs := make(chan error, batch)
		for i := range batch {
			n := cut*batch + i
			requests.Go(func() {
				reply := make(chan int, n%2)
				if err := client.Send(ctx, request{N: n, Reply: reply}); err != nil {
					errs <- err
					return
				}
				got, ok := <-reply
				if _, again := <-reply; !ok || again || got != n*n {
					errs <- fmt.Errorf("request %d: reply %d (open %v, a second %v)", n, got, ok, again)
				}
			})
		}
		if cut%2 == 0 {
			proxy.Reset()
		} else {
			proxy.Cut()
		}
		requests.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	if client.Err() != nil || len(log.all()) > 0 {
		t.Fatalf("connection: %v; reported: %v", client.Err(), log.all())
	}
	if proxy.Conns() < 2 {
		t.Fatalf("%d connections through the proxy: the cuts cut nothing", proxy.Conns())
	}
}

// A value sent on a stream channel that the peer's program had not taken
// when the session was lost is reported undelivered, holding the value.
func TestStreamValueUndeliveredWhenLost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	log := &errorLog{}
	opts := []netchan.Option{netchan.Insecure(), netchan.WithResumeWindow(0), quietLogger}
	ln := testkit.Loopback(t)
	l, err := typed.Listen[subscription](ctx, "", append(opts, netchan.WithListener(ln))...)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	proxy := testkit.NewProxy(t, ln.Addr().String())
	client, err := typed.Dial[subscription](ctx, proxy.Addr(), append(opts, netchan.OnError(log.add))...)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	updates := make(chan int)
	if err := client.Send(ctx, subscription{Updates: updates}); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Recv(ctx); err != nil { // its program never reads the field
		t.Fatal(err)
	}
	testkit.Send(t, updates, 42) // netchan took it: it is delivered or reported
	proxy.Reset()
	testkit.Eventually(t, "the value to be reported undelivered", func() bool {
		for _, err := range log.all() {
			var u *netchan.UndeliveredError[any]
			if errors.As(err, &u) && u.Value == 42 {
				return true
			}
		}
		return false
	})
}

// A broadcast listener refuses, at Listen, a type whose values hold
// channels: a channel is bound to one client's session.
func TestBroadcastRefusesChannels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, _, err := netchan.Listen[request](ctx, "127.0.0.1:0", netchan.Insecure(), netchan.Broadcast()); err == nil {
		t.Fatal("Listen with Broadcast of a type that holds channels succeeded")
	}
	s, _, err := netchan.Listen[int](ctx, "127.0.0.1:0", netchan.Insecure(), netchan.Broadcast())
	if err != nil {
		t.Fatalf("Listen with Broadcast of int: %v", err)
	}
	close(s)
}
