package store

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// cutProxy forwards TCP connections to a server until it is cut: then it
// drops every connection and refuses new ones, as a database restarting
// or a network partition would.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newCutProxy(tb testing.TB, target string) *cutProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	go p.serve()
	tb.Cleanup(func() { ln.Close(); p.cut(true) })
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { io.Copy(s, c); s.Close() }()
		go func() { io.Copy(c, s); c.Close() }()
	}
}

// cut drops every connection and refuses new ones (down), or lets them
// through again.
func (p *cutProxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestWriter_SurvivesAPostgresOutage cuts the connection to PostgreSQL for
// a second while questions keep coming: every record is written once the
// database is back, none dropped.
func TestWriter_SurvivesAPostgresOutage(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN()
	if err := pingPostgres(dsn); err != nil {
		t.Skipf("no PostgreSQL server (%v); set %s", err, envPostgresDSN)
	}
	u, err := url.Parse(postgresSchema(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	st := openStore(t, Options{Driver: Postgres, DSN: u.String()})
	w := NewWriter(st, WriterOptions{FlushInterval: 10 * time.Millisecond, RetryMin: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond})
	ask := func(from, to int) {
		for i := from; i < to; i++ {
			w.Question(Question{Time: at(time.Duration(i)), Platform: "p", Channel: fmt.Sprint(i), Kind: KindAnswer})
		}
	}
	ask(0, 500)
	waitUntil(t, "the first records", func() bool { return w.Written() == 500 })
	proxy.cut(true)
	for i := range 10 { // a second of questions during the outage
		ask(500+i*200, 700+i*200)
		time.Sleep(100 * time.Millisecond)
	}
	proxy.cut(false)
	waitUntil(t, "the records of the outage", func() bool { return w.Written() == 2500 })
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	qs, err := st.Questions(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2500 || w.Dropped() != 0 {
		t.Errorf("%d questions stored, %d dropped; want 2500 and none", len(qs), w.Dropped())
	}
}
