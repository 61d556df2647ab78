package httpapi

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/metrics"
)

// blocking is a Core whose answers wait until release is closed.
type blocking struct {
	started chan struct{}
	release chan struct{}
}

func (b blocking) Handle(context.Context, bot.Message) bot.Reply {
	b.started <- struct{}{}
	<-b.release
	return bot.Reply{Kind: bot.KindNoMatch}
}

// noMatch is a Core that never knows.
type noMatch struct{}

func (noMatch) Handle(context.Context, bot.Message) bot.Reply {
	return bot.Reply{Kind: bot.KindNoMatch}
}

// startServer runs a Server over core with limits on a loopback port.
func startServer(tb testing.TB, core Core, l Limits) (string, *Server, *metrics.Metrics) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	m := metrics.New()
	mux := http.NewServeMux()
	New(core, Options{Metrics: m.Handler(), Errors: m}).Mount(mux)
	s := NewServer(ln, mux, l, m, slog.New(slog.DiscardHandler))
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	tb.Cleanup(func() {
		s.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			tb.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), s, m
}

// TestServer_ShedsBeyondInFlight: with every slot taken, questions get a
// 503 with Retry-After at once, and the health checks still answer.
func TestServer_ShedsBeyondInFlight(t *testing.T) {
	t.Parallel()
	core := blocking{started: make(chan struct{}, 2), release: make(chan struct{})}
	base, _, _ := startServer(t, core, Limits{MaxInFlight: 2})
	done := make(chan int, 2)
	for range 2 {
		go func() {
			resp, err := http.Post(base+"/v1/ask", "application/json", strings.NewReader(`{"question": "q"}`))
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	<-core.started
	<-core.started
	resp, err := http.Post(base+"/v1/ask", "application/json", strings.NewReader(`{"question": "q"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(body), "too busy") {
		t.Errorf("third question: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, _ := get(t, base+path); code != 200 {
			t.Errorf("%s under overload: %d", path, code)
		}
	}
	_, metricsBody := get(t, base+"/metrics")
	if !strings.Contains(metricsBody, `espbot_errors_total{platform="http",where="shed"} 1`) {
		t.Error("shed request not counted")
	}
	close(core.release)
	for range 2 {
		if code := <-done; code != 200 {
			t.Errorf("a question in flight ended with %d", code)
		}
	}
}

// TestServer_Timeouts: connections that send headers too slowly, never
// finish their body, or sit idle are closed.
func TestServer_Timeouts(t *testing.T) {
	t.Parallel()
	base, s, _ := startServer(t, noMatch{}, Limits{
		ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond,
	})
	addr := strings.TrimPrefix(base, "http://")
	tests := []struct {
		name string
		send string
	}{
		{"slow headers", "GET /healthz HTTP/1.1\r\nHost: x\r\n"},
		{"a body that never comes", "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"question\""},
		{"idle after a request", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"connected, silent", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, tt.send)
			c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a hang guard only
			_, err = io.Copy(io.Discard, c)
			if err != nil {
				t.Errorf("the server kept the connection: %v", err)
			}
		})
	}
	waitFor(t, "every connection released", func() bool { return s.conns.open() == 0 })
}

// TestServer_ConnectionCap: at the cap, an idle keep-alive connection makes
// room for a new one; with none idle, a new connection gets a 503; once the
// slow ones time out, requests are served again.
func TestServer_ConnectionCap(t *testing.T) {
	t.Parallel()
	base, s, _ := startServer(t, noMatch{}, Limits{MaxConnections: 3, ReadHeaderTimeout: 2 * time.Second})
	addr := strings.TrimPrefix(base, "http://")
	idle := make([]net.Conn, 3)
	for i := range idle {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("keep-alive request %d: %v", i, err)
		}
		idle[i] = c
	}
	// The client reads a response before the server marks its connection
	// idle: wait for the server's view.
	waitFor(t, "three idle connections", func() bool { return countState(s, http.StateIdle) == 3 })
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("with only idle connections at the cap: %d", code)
	}
	waitFor(t, "the new connection idle", func() bool { return countState(s, http.StateIdle) == 3 })
	// Three connections that say nothing: the cap is full of busy ones.
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	waitFor(t, "the silent connections accepted", func() bool { return countState(s, http.StateNew) == 3 })
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("over the cap: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "too many connections") {
		t.Errorf("refusal body %q", body)
	}
	// The silent connections time out; the server serves again.
	waitFor(t, "service after the header timeout", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	if _, out := get(t, base+"/metrics"); !strings.Contains(out, `espbot_errors_total{platform="http",where="conn_refused"}`) {
		t.Error("refused connection not counted")
	}
}

// countState counts the server's connections in state st.
func countState(s *Server, st http.ConnState) int {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	n := 0
	for _, info := range s.conns.conns {
		if info.state == st {
			n++
		}
	}
	return n
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second) // a hang guard only
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
