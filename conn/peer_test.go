package conn

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// A listener's errors name the client they are about, as its address
// reads from the client's side: a refused handshake, and a session's end.
func TestErrorsNameThePeer(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	lcfg := testConfig()
	lcfg.ResumeWindow = 0
	lcfg.OnError = func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}
	p := connect(t, lcfg, lcfg, nil)

	nc, err := net.Dial("tcp", p.listen)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Write([]byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the refusal to be reported", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reported) > 0
	})
	mu.Lock()
	if got := reported[0].Error(); !strings.Contains(got, nc.LocalAddr().String()) {
		t.Errorf("refusal %q does not name the client %s", got, nc.LocalAddr())
	}
	mu.Unlock()

	client := p.d.LocalAddr().String()
	p.d.Abort(errors.New("going away"))
	<-p.a.Done()
	if err := p.a.Err(); !strings.Contains(err.Error(), client) {
		t.Errorf("the session's end %q does not name the client %s", err, client)
	}
}
