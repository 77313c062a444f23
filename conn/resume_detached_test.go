package conn

import (
	"strings"
	"testing"

	"github.com/netchan/netchan/internal/testkit"
)

// A listener keeps at most MaxDetached broken sessions waiting for a
// resume: one more loses the one that waited longest, whose dialer then
// learns so when it resumes, while the other resumes.
func TestMaxDetachedEvictsTheOldest(t *testing.T) {
	lcfg := testConfig()
	lcfg.MaxDetached = 1
	l := serve(t, lcfg)
	ctx := patience(t)
	type client struct {
		proxy *testkit.Proxy
		d, a  *Session
	}
	var cs []client
	for range 2 {
		proxy := testkit.NewProxy(t, l.Addr().String())
		d, err := Dial(ctx, proxy.Addr(), testConfig())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		a, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		cs = append(cs, client{proxy, d, a})
	}
	old, young := cs[0], cs[1]
	for _, c := range []client{old, young} {
		c.proxy.Refuse(true)
		c.proxy.Reset()
		testkit.Eventually(t, "the listener to see the cut", func() bool { return detached(l, c.a) })
	}
	err := ended(t, old.a)
	wantErr(t, "the evicted session", err, ErrSessionLost)
	if err != nil && !strings.Contains(err.Error(), "at most 1") {
		t.Errorf("the evicted session's error %q does not name the bound", err)
	}
	if young.a.Err() != nil {
		t.Fatalf("the younger session ended too: %v", young.a.Err())
	}
	old.proxy.Refuse(false)
	young.proxy.Refuse(false)
	wantErr(t, "the evicted session's dialer", ended(t, old.d), ErrSessionLost)
	if err := exchange(ctx, young.d.Main(), young.a.Main(), 10); err != nil {
		t.Fatal(err)
	}
	if young.d.Resumes() != 1 {
		t.Fatalf("%d resumes", young.d.Resumes())
	}
}
