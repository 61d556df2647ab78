// Package slacktest is a fake Slack for tests: a Web API and a Socket Mode
// websocket on 127.0.0.1 speaking the real wire formats, so that the real
// slack-go client can be tested end to end. It rejects what Slack rejects
// (Validate), keeps the messages posted (conversations.history and
// .replies, with metadata), fails on demand like Slack or the network
// (Inject), and builds the payloads Slack sends: signed Events API
// requests, envelopes, clicks.
package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	// TS is the timestamp of the message a successful post created.
	TS string
	// Error is the error code the fake answered ("invalid_blocks"...), ""
	// when the call succeeded.
	Error string
	// Fault is the fault injected instead of running the call, if any.
	Fault *Fault
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

// Ack is one envelope acknowledgement the bot sent over Socket Mode.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
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
	acks     chan Ack
	conns    chan struct{} // one value per websocket connection accepted

	mu        sync.Mutex
	conn      *websocket.Conn
	open      map[*websocket.Conn]bool
	connWrite sync.Mutex
	connected chan struct{} // closed when a connection is current
	faults    map[string][]Fault
	stalled   map[string]chan struct{}
	all       []Call
	history   map[string][]message // posted messages by channel, oldest first
	closed    bool
	wg        sync.WaitGroup

	seq          atomic.Int64
	hideMetadata atomic.Bool
}

// NewServer starts a fake Slack on 127.0.0.1.
func NewServer() *Server {
	s := &Server{
		PingInterval: time.Second,
		upgrader:     websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		calls:        make(chan Call, 4096),
		acks:         make(chan Ack, 4096),
		conns:        make(chan struct{}, 64),
		connected:    make(chan struct{}),
		faults:       map[string][]Fault{},
		stalled:      map[string]chan struct{}{},
		history:      map[string][]message{},
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

// Close drops the websocket, releases stalled calls and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.open {
		_ = c.Close()
	}
	for m, ch := range s.stalled {
		close(ch)
		delete(s.stalled, m)
	}
	s.mu.Unlock()
	s.hs.CloseClientConnections()
	s.hs.Close()
	s.wg.Wait()
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

// Rejected returns the calls the fake refused as Slack would
// (invalid_blocks, msg_blocks_too_long...).
func (s *Server) Rejected() []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Error != "" && c.Fault == nil {
			out = append(out, c)
		}
	}
	return out
}

// Posted returns how many messages the bot posted in channel (in thread,
// if set), faults notwithstanding.
func (s *Server) Posted(channel, thread string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.history[channel] {
		if m.ThreadTS == thread {
			n++
		}
	}
	return n
}

// NextAck waits for the next envelope acknowledgement.
func (s *Server) NextAck(ctx context.Context) (Ack, error) {
	select {
	case a := <-s.acks:
		return a, nil
	case <-ctx.Done():
		return Ack{}, fmt.Errorf("waiting for an ack: %w", ctx.Err())
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

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
