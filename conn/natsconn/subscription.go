package natsconn

import (
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
)

// subscription is a nats.go subscription whose end can be waited for: its
// handler runs in a goroutine of nats.go's, and stop returns only once
// that goroutine has returned, so that nothing of natsconn's runs after a
// Close.
type subscription struct {
	sub  *nats.Subscription
	done chan struct{}
	end  func()
}

// subscribe subscribes handler to subject, in the queue group queue unless
// it is empty. With unlimited set, nats.go holds any number of messages
// for the handler: the windows bound them, and a limit could only drop one.
func subscribe(nc *nats.Conn, subject, queue string, unlimited bool, handler nats.MsgHandler) (*subscription, error) {
	var sub *nats.Subscription
	var err error
	if queue == "" {
		sub, err = nc.Subscribe(subject, handler)
	} else {
		sub, err = nc.QueueSubscribe(subject, queue, handler)
	}
	if err != nil {
		return nil, fmt.Errorf("natsconn: subscribe to %s: %w", subject, err)
	}
	s := &subscription{sub: sub, done: make(chan struct{})}
	s.end = sync.OnceFunc(func() { close(s.done) })
	sub.SetClosedHandler(func(string) { s.end() })
	if !sub.IsValid() {
		// The nats.Conn closed before the handler was set: nats.go's
		// goroutine may have returned without calling it.
		s.end()
	}
	if unlimited {
		if err := sub.SetPendingLimits(-1, -1); err != nil {
			s.stop()
			return nil, fmt.Errorf("natsconn: subscribe to %s: %w", subject, err)
		}
	}
	return s, nil
}

// stop unsubscribes and waits for the handler's goroutine. It must not be
// called from the handler.
func (s *subscription) stop() {
	if err := s.sub.Unsubscribe(); err != nil && s.sub.IsValid() {
		// Still subscribed for a reason nats.go did not expect: waiting
		// could last for ever.
		s.end()
	}
	<-s.done
}
