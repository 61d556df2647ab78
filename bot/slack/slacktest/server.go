// Package slacktest is a fake Slack for tests: a Web API and a Socket Mode
// websocket on 127.0.0.1 speaking the real wire formats, so that the real
// slack-go client can be tested end to end. It also signs and sends Events
// API requests, as Slack does in HTTP mode.
package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Identities of the fake workspace.
const (
	BotToken  = "xoxb-test-bot-token"
	AppToken  = "xapp-test-app-token"
	TeamID    = "T0TEST"
	BotUserID = "U0BOT"
	BotID     = "B0BOT"
	AppID     = "A0APP"
)

// Call is one request the bot made to the fake.
type Call struct {
	// Method is the Web API method ("chat.postMessage") or "response_url".
	Method string
	// Form holds form-encoded Web API parameters.
	Form url.Values
	// JSON holds the body of response URL posts.
	JSON map[string]any
	// ResponseURL is the path of the response URL ("/response/3").
	ResponseURL string
	// At is when the call arrived.
	At time.Time
}

// Blocks returns the message blocks of the call, decoded.
func (c Call) Blocks() []map[string]any {
	var raw any
	if c.JSON != nil {
		raw = c.JSON["blocks"]
	} else if s := c.Form.Get("blocks"); s != "" {
		_ = json.Unmarshal([]byte(s), &raw)
	}
	list, _ := raw.([]any)
	var out []map[string]any
	for _, b := range list {
		if m, ok := b.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Text returns the fallback text of the call.
func (c Call) Text() string {
	if c.JSON != nil {
		s, _ := c.JSON["text"].(string)
		return s
	}
	return c.Form.Get("text")
}

// Server is a fake Slack. Create it with NewServer and Close it when done.
type Server struct {
	// URL is the base URL (http://127.0.0.1:port); APIURL is URL + "/api/".
	URL, APIURL string

	// PingInterval is how often websocket PINGs are sent (slack-go reconnects
	// when none arrive within 30 s). Set before the first connection.
	PingInterval time.Duration

	hs       *httptest.Server
	upgrader websocket.Upgrader
	calls    chan Call
	acks     chan string
	conns    chan struct{} // one value per websocket connection accepted

	mu          sync.Mutex
	conn        *websocket.Conn
	open        map[*websocket.Conn]bool
	connWrite   sync.Mutex
	connected   chan struct{} // closed when a connection is current
	rateLimited map[string]int
	failing     map[string]int
	stalled     map[string]bool
	retryAfter  int
	all         []Call
	closed      bool
	wg          sync.WaitGroup

	seq atomic.Int64
}

// NewServer starts a fake Slack on 127.0.0.1.
func NewServer() *Server {
	s := &Server{
		PingInterval: time.Second,
		upgrader:     websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		calls:        make(chan Call, 4096),
		acks:         make(chan string, 4096),
		conns:        make(chan struct{}, 64),
		connected:    make(chan struct{}),
		rateLimited:  map[string]int{},
		failing:      map[string]int{},
		stalled:      map[string]bool{},
		open:         map[*websocket.Conn]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{method}", s.serveAPI)
	mux.HandleFunc("POST /response/{n}", s.serveResponse)
	mux.HandleFunc("GET /socket", s.serveSocket)
	s.hs = httptest.NewServer(mux)
	s.URL = s.hs.URL
	s.APIURL = s.hs.URL + "/api/"
	return s
}

// Close drops the websocket and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.open {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.hs.CloseClientConnections()
	s.hs.Close()
	s.wg.Wait()
}

// RateLimit makes the next n calls of method answer 429 with Retry-After.
func (s *Server) RateLimit(method string, n, retryAfterSeconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimited[method] = n
	s.retryAfter = retryAfterSeconds
}

// Fail makes the next n calls of method answer 500.
func (s *Server) Fail(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing[method] = n
}

// Stall makes every call of method hang until the client gives up, as an
// unreachable Slack would.
func (s *Server) Stall(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stalled[method] = true
}

// ResponseURL returns a fresh response URL for a slash command or action.
func (s *Server) ResponseURL() string {
	return fmt.Sprintf("%s/response/%d", s.URL, s.seq.Add(1))
}

// NextCall waits for the next call the bot makes.
func (s *Server) NextCall(ctx context.Context) (Call, error) {
	select {
	case c := <-s.calls:
		return c, nil
	case <-ctx.Done():
		return Call{}, fmt.Errorf("waiting for a call: %w", ctx.Err())
	}
}

// Calls returns every call received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.all...)
}

// NextAck waits for the next envelope acknowledgement and returns its ID.
func (s *Server) NextAck(ctx context.Context) (string, error) {
	select {
	case id := <-s.acks:
		return id, nil
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for an ack: %w", ctx.Err())
	}
}

// WaitConnection waits until a new websocket connection has been accepted
// (since the last call).
func (s *Server) WaitConnection(ctx context.Context) error {
	select {
	case <-s.conns:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for a socket mode connection: %w", ctx.Err())
	}
}

func (s *Server) record(c Call) {
	c.At = time.Now()
	s.mu.Lock()
	s.all = append(s.all, c)
	s.mu.Unlock()
	select {
	case s.calls <- c:
	default: // a test that does not read calls must not block the fake
	}
}

// fault answers 429 or 500 when the method was told to; it reports whether
// it did.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, method string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stalled[method] {
		s.mu.Unlock()
		<-r.Context().Done()
		s.mu.Lock()
		return true
	}
	if s.rateLimited[method] > 0 {
		s.rateLimited[method]--
		w.Header().Set("Retry-After", strconv.Itoa(s.retryAfter))
		http.Error(w, "rate limited", http.StatusTooManyRequests)
		return true
	}
	if s.failing[method] > 0 {
		s.failing[method]--
		http.Error(w, "internal error", http.StatusInternalServerError)
		return true
	}
	return false
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if s.fault(w, r, method) {
		return
	}
	switch method {
	case "auth.test":
		if r.PostForm.Get("token") != BotToken {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "url": s.URL + "/", "team": "Test", "user": "espbot",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID})
	case "apps.connections.open":
		if r.Header.Get("Authorization") != "Bearer "+AppToken {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.URL, "http") + "/socket"})
	default:
		s.serveChat(w, r, method)
	}
}

func (s *Server) serveChat(w http.ResponseWriter, r *http.Request, method string) {
	if r.PostForm.Get("token") != BotToken {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	s.record(Call{Method: method, Form: r.PostForm})
	ts := fmt.Sprintf("%d.%06d", time.Now().Unix(), s.seq.Add(1))
	writeJSON(w, map[string]any{"ok": true, "channel": r.PostForm.Get("channel"), "ts": ts, "message_ts": ts})
}

func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	if s.fault(w, r, "response_url") {
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.record(Call{Method: "response_url", JSON: body, ResponseURL: r.URL.Path})
	writeJSON(w, map[string]any{"ok": true})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// serveSocket accepts a Socket Mode connection: hello, pings, and acks read
// into NextAck. A newer connection replaces the older one, as with Slack.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	c, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = c.Close()
		return
	}
	s.wg.Add(1)
	s.conn = c
	s.open[c] = true
	s.mu.Unlock()
	defer s.wg.Done()

	stop := make(chan struct{})
	defer close(stop)
	s.wg.Add(1)
	go s.ping(c, stop)

	if err := s.write(c, map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": AppID}, "debug_info": map[string]any{"host": "fake"}}); err != nil {
		return
	}
	s.signalConnected()
	s.conns <- struct{}{}
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			s.dropConn(c)
			return
		}
		var ack struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
			select {
			case s.acks <- ack.EnvelopeID:
			default:
			}
		}
	}
}

func (s *Server) signalConnected() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.connected:
	default:
		close(s.connected)
	}
}

func (s *Server) dropConn(c *websocket.Conn) {
	_ = c.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, c)
	if s.conn == c {
		s.conn = nil
		s.connected = make(chan struct{})
	}
}

func (s *Server) ping(c *websocket.Conn, stop <-chan struct{}) {
	defer s.wg.Done()
	t := time.NewTicker(s.PingInterval)
	defer t.Stop()
	for {
		if err := c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)); err != nil {
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

func (s *Server) write(c *websocket.Conn, v any) error {
	s.connWrite.Lock()
	defer s.connWrite.Unlock()
	return c.WriteJSON(v)
}

// current waits for a current connection.
func (s *Server) current(ctx context.Context) (*websocket.Conn, error) {
	for {
		s.mu.Lock()
		c, ready := s.conn, s.connected
		s.mu.Unlock()
		if c != nil {
			return c, nil
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("no socket mode connection: %w", ctx.Err())
		}
	}
}

// Send writes one raw Socket Mode frame to the current connection.
func (s *Server) Send(ctx context.Context, frame any) error {
	c, err := s.current(ctx)
	if err != nil {
		return err
	}
	return s.write(c, frame)
}

// Drop closes the current websocket abruptly, as a network failure would.
func (s *Server) Drop(ctx context.Context) error {
	c, err := s.current(ctx)
	if err != nil {
		return err
	}
	s.dropConn(c)
	return nil
}

// Disconnect asks the client to reconnect, as Slack does before it rotates
// its servers.
func (s *Server) Disconnect(ctx context.Context) error {
	return s.Send(ctx, map[string]any{"type": "disconnect", "reason": "refresh_requested",
		"debug_info": map[string]any{"host": "fake"}})
}

// envelopeID returns a fresh envelope ID.
func (s *Server) envelopeID() string {
	return fmt.Sprintf("env-%d", s.seq.Add(1))
}

// EventCallback wraps an inner event (app_mention, message...) in the
// Events API callback that both modes deliver.
func EventCallback(eventID string, inner map[string]any) map[string]any {
	return map[string]any{
		"token": "verification-token", "team_id": TeamID, "api_app_id": AppID,
		"type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(),
		"event": inner,
	}
}

// SendEvent sends an events_api envelope carrying callback and returns its
// envelope ID.
func (s *Server) SendEvent(ctx context.Context, callback map[string]any) (string, error) {
	id := s.envelopeID()
	return id, s.Send(ctx, map[string]any{"type": "events_api", "envelope_id": id, "payload": callback,
		"accepts_response_payload": false, "retry_attempt": 0, "retry_reason": ""})
}

// SendSlash sends a slash_commands envelope and returns its envelope ID.
func (s *Server) SendSlash(ctx context.Context, cmd map[string]any) (string, error) {
	id := s.envelopeID()
	return id, s.Send(ctx, map[string]any{"type": "slash_commands", "envelope_id": id, "payload": cmd,
		"accepts_response_payload": true})
}

// SendInteractive sends an interactive envelope and returns its envelope ID.
func (s *Server) SendInteractive(ctx context.Context, payload map[string]any) (string, error) {
	id := s.envelopeID()
	return id, s.Send(ctx, map[string]any{"type": "interactive", "envelope_id": id, "payload": payload,
		"accepts_response_payload": false})
}
