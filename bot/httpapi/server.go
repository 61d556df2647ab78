package httpapi

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/espbot/espbot/bot"
)

// Limits keep the server answering under load. Zero fields take the
// defaults.
type Limits struct {
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout bound
	// each phase of a connection, so slow or idle clients cannot hold one
	// forever (defaults 10 s, 15 s, 30 s, 60 s).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxConnections caps open connections (default 512): below the
	// process's open-file limit, so that the bot's own files, database and
	// chat connections always have descriptors. At the cap an idle
	// keep-alive connection is closed to make room; when none is idle the
	// new connection gets a 503.
	MaxConnections int
	// MaxInFlight caps requests being handled (default 64); beyond it a
	// request gets a 503 with Retry-After at once, except health checks.
	MaxInFlight int
}

func (l Limits) withDefaults() Limits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.ReadHeaderTimeout, 10*time.Second)
	def(&l.ReadTimeout, 15*time.Second)
	def(&l.WriteTimeout, 30*time.Second)
	def(&l.IdleTimeout, 60*time.Second)
	if l.MaxConnections <= 0 {
		l.MaxConnections = 512
	}
	if l.MaxInFlight <= 0 {
		l.MaxInFlight = 64
	}
	return l
}

// Server is an http.Server with Limits, and the listener that caps its
// connections.
type Server struct {
	*http.Server
	conns *connLimiter
}

// NewServer serves h on ln within l. Sheddings and refusals are counted as
// errors "shed" and "conn_refused" of platform http.
func NewServer(ln net.Listener, h http.Handler, l Limits, m bot.Metrics, log *slog.Logger) *Server {
	l = l.withDefaults()
	if m == nil {
		m = bot.NopMetrics{}
	}
	cl := newConnLimiter(ln, l.MaxConnections, func() { m.Error(bot.HTTP, "conn_refused") })
	srv := &http.Server{
		Handler:           shed(h, l.MaxInFlight, func() { m.Error(bot.HTTP, "shed") }),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		ConnState:         cl.track,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return &Server{Server: srv, conns: cl}
}

// Serve serves until Shutdown or Close.
func (s *Server) Serve() error { return s.Server.Serve(s.conns) }

// shed lets at most max requests in at once; the others get a 503 with
// Retry-After straight away, which costs far less than queueing them. The
// health paths are never shed.
func shed(h http.Handler, max int, onShed func()) http.Handler {
	slots := make(chan struct{}, max)
	health := healthPaths()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(health, r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			h.ServeHTTP(w, r)
		default:
			onShed()
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, "too busy: ask again in a second")
		}
	})
}

// connLimiter is a listener that keeps at most max connections open.
type connLimiter struct {
	net.Listener
	max     int
	refused func()

	mu    sync.Mutex
	conns map[net.Conn]connInfo
	// refusing bounds the goroutines writing 503s to refused connections.
	refusing chan struct{}
}

type connInfo struct {
	state http.ConnState
	since time.Time
}

func newConnLimiter(ln net.Listener, max int, refused func()) *connLimiter {
	return &connLimiter{Listener: ln, max: max, refused: refused, conns: map[net.Conn]connInfo{}, refusing: make(chan struct{}, 16)}
}

// Accept returns the next connection there is room for. At the cap it
// closes the longest-idle keep-alive connection to make room, or refuses
// the new one.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		var idle net.Conn
		if len(l.conns) >= l.max {
			idle = l.longestIdle()
			if idle != nil {
				delete(l.conns, idle)
			}
		}
		room := len(l.conns) < l.max
		if room {
			l.conns[c] = connInfo{state: http.StateNew, since: time.Now()}
		}
		l.mu.Unlock()
		if idle != nil {
			idle.Close()
		}
		if room {
			return c, nil
		}
		l.refuse(c)
	}
}

// longestIdle returns the connection idle for longest, or nil.
func (l *connLimiter) longestIdle() net.Conn {
	var oldest net.Conn
	var since time.Time
	for c, info := range l.conns {
		if info.state == http.StateIdle && (oldest == nil || info.since.Before(since)) {
			oldest, since = c, info.since
		}
	}
	return oldest
}

// track follows the server's connections (http.Server.ConnState).
func (l *connLimiter) track(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.conns[c]; !ok {
		return // closed to make room, or refused
	}
	if s == http.StateClosed || s == http.StateHijacked {
		delete(l.conns, c)
		return
	}
	l.conns[c] = connInfo{state: s, since: time.Now()}
}

// refusedResponse is what a connection over the cap gets.
func refusedResponse() string {
	const body = `{"error":"too many connections: try again shortly"}` + "\n"
	return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Retry-After: 1\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// refuse answers a connection over the cap with a 503 and closes it. The
// request is read briefly first, so that closing does not reset it before
// the client sees the answer. When many are refused at once, the extra
// ones are closed without a word.
func (l *connLimiter) refuse(c net.Conn) {
	l.refused()
	select {
	case l.refusing <- struct{}{}:
	default:
		c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, _ = c.Read(buf)
		_, _ = io.WriteString(c, refusedResponse())
	}()
}

// open is the number of connections held, for tests.
func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}
