package discordtest

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// frame is a gateway payload.
type frame struct {
	Op   int             `json:"op"`
	Data json.RawMessage `json:"d,omitempty"`
	Seq  int64           `json:"s,omitempty"`
	Type string          `json:"t,omitempty"`
}

// event is a dispatched event kept for resumes.
type event struct {
	seq int64
	raw []byte
}

// gateway is the fake's websocket side: Hello, Identify/READY, heartbeats,
// Resume with replay of missed events, and dispatches from tests.
type gateway struct {
	s        *Server
	upgrader websocket.Upgrader

	mu         sync.Mutex
	conn       *wsConn // the identified or resumed connection, if any
	all        map[*wsConn]bool
	sessionID  string
	seq        int64
	history    []event
	identifies int
	resumes    int
	intents    int
	closed     bool
	ready      chan struct{} // closed and replaced on each READY/RESUMED

	handlers sync.WaitGroup
}

// wsConn serialises writes to one websocket.
type wsConn struct {
	mu sync.Mutex
	c  *websocket.Conn
}

func (c *wsConn) write(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c.WriteMessage(websocket.TextMessage, b)
}

func (g *gateway) init(s *Server) {
	g.s = s
	g.all = map[*wsConn]bool{}
	g.ready = make(chan struct{})
	g.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	g.handlers.Add(1)
	g.mu.Unlock()
	defer g.handlers.Done()
	c, err := g.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &wsConn{c: c}
	g.mu.Lock()
	g.all[conn] = true
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.all, conn)
		if g.conn == conn {
			g.conn = nil
		}
		g.mu.Unlock()
		c.Close()
	}()
	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": g.s.opts.HeartbeatInterval.Milliseconds()})
	if err := conn.write(mustJSON(frame{Op: 10, Data: hello})); err != nil {
		return
	}
	g.read(conn)
}

// read handles the client's frames until the connection ends.
func (g *gateway) read(conn *wsConn) {
	for {
		_, msg, err := conn.c.ReadMessage()
		if err != nil {
			return
		}
		var f frame
		if json.Unmarshal(msg, &f) != nil {
			return
		}
		switch f.Op {
		case 1: // heartbeat
			if conn.write(mustJSON(frame{Op: 11})) != nil {
				return
			}
		case 2:
			if !g.identify(conn, f.Data) {
				return
			}
		case 6:
			if !g.resume(conn, f.Data) {
				return
			}
		}
	}
}

func (g *gateway) closeWith(conn *wsConn, code int, text string) {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	conn.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
}

// identify starts a new session: READY, then a GUILD_CREATE per guild.
func (g *gateway) identify(conn *wsConn, data json.RawMessage) bool {
	var id struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	json.Unmarshal(data, &id)
	if id.Token != "Bot "+g.s.opts.Token {
		g.closeWith(conn, 4004, "Authentication failed.")
		return false
	}
	if id.Intents&g.s.opts.RefuseIntents != 0 {
		g.closeWith(conn, 4014, "Disallowed intent(s).")
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.identifies++
	g.intents = id.Intents
	g.sessionID = g.s.NewID()
	g.seq = 0
	g.history = nil
	g.conn = conn
	guilds := make([]map[string]any, 0, len(g.s.opts.Guilds))
	for _, gd := range g.s.opts.Guilds {
		guilds = append(guilds, map[string]any{"id": gd.ID, "unavailable": true})
	}
	g.dispatchLocked("READY", map[string]any{
		"v":                  9,
		"user":               User{ID: g.s.opts.BotID, Username: "espbot", Bot: true},
		"session_id":         g.sessionID,
		"resume_gateway_url": "ws" + g.s.URL[len("http"):] + "/gateway/",
		"guilds":             guilds,
		"application":        map[string]any{"id": g.s.opts.AppID, "flags": 0},
	})
	for _, gd := range g.s.opts.Guilds {
		chans, threads := []Channel{}, []Channel{}
		for _, c := range gd.Channels {
			c.GuildID = gd.ID
			if c.Type == ChannelPublicThread {
				threads = append(threads, c)
			} else {
				chans = append(chans, c)
			}
		}
		roles := gd.Roles
		if roles == nil {
			roles = []Role{}
		}
		g.dispatchLocked("GUILD_CREATE", map[string]any{"id": gd.ID, "name": gd.Name, "channels": chans, "threads": threads, "roles": roles})
	}
	close(g.ready)
	g.ready = make(chan struct{})
	return true
}

// resume continues a session: missed events are replayed, then RESUMED.
func (g *gateway) resume(conn *wsConn, data json.RawMessage) bool {
	var rs struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(data, &rs)
	g.mu.Lock()
	defer g.mu.Unlock()
	if rs.Token != "Bot "+g.s.opts.Token || rs.SessionID != g.sessionID {
		conn.write(mustJSON(frame{Op: 9, Data: json.RawMessage("false")}))
		return true
	}
	g.resumes++
	g.conn = conn
	for _, e := range g.history {
		if e.seq > rs.Seq {
			if conn.write(e.raw) != nil {
				return false
			}
		}
	}
	g.dispatchLocked("RESUMED", map[string]any{})
	close(g.ready)
	g.ready = make(chan struct{})
	return true
}

// dispatchLocked numbers an event, keeps it for resumes and sends it on the
// current connection, if any. It returns when the event was written.
func (g *gateway) dispatchLocked(typ string, d any) (int64, time.Time) {
	g.seq++
	raw := mustJSON(frame{Op: 0, Seq: g.seq, Type: typ, Data: mustJSON(d)})
	g.history = append(g.history, event{seq: g.seq, raw: raw})
	if g.conn != nil {
		g.conn.write(raw)
	}
	return g.seq, time.Now()
}

func (g *gateway) closeAll() {
	g.mu.Lock()
	g.closed = true
	conns := make([]*wsConn, 0, len(g.all))
	for c := range g.all {
		conns = append(conns, c)
	}
	g.conn = nil
	g.mu.Unlock()
	for _, c := range conns {
		c.c.Close()
	}
}

func (g *gateway) wait() { g.handlers.Wait() }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("discordtest: " + err.Error())
	}
	return b
}

// Dispatch sends a gateway event (op 0) of type typ with payload d, and
// returns its sequence number and when it was written to the socket. With
// no connection (dropped), the event waits for a resume.
func (s *Server) Dispatch(typ string, d any) (int64, time.Time) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.dispatchLocked(typ, d)
}

// DropGateway closes the gateway connection abruptly, without a close
// frame, as a network failure would.
func (s *Server) DropGateway() {
	s.gw.mu.Lock()
	c := s.gw.conn
	s.gw.conn = nil
	s.gw.mu.Unlock()
	if c != nil {
		c.c.Close()
	}
}

// CloseGateway closes the gateway connection with a close frame carrying
// code, as Discord does for an invalid token (4004) or disallowed intents
// (4014).
func (s *Server) CloseGateway(code int, reason string) {
	s.gw.mu.Lock()
	c := s.gw.conn
	s.gw.conn = nil
	s.gw.mu.Unlock()
	if c != nil {
		s.gw.closeWith(c, code, reason)
		c.c.Close()
	}
}

// Connected reports whether a client is identified or resumed.
func (s *Server) Connected() bool {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.conn != nil
}

// AwaitConnected waits until a client has identified or resumed.
func (s *Server) AwaitConnected(tb interface {
	Helper()
	Fatalf(string, ...any)
}) {
	tb.Helper()
	deadline := time.NewTimer(AwaitTimeout)
	defer deadline.Stop()
	for {
		s.gw.mu.Lock()
		ok, ch := s.gw.conn != nil, s.gw.ready
		s.gw.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("fake discord: no gateway client within %v", AwaitTimeout)
		}
	}
}

// Identifies is how many times a client identified (new sessions).
func (s *Server) Identifies() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.identifies
}

// Resumes is how many times a client resumed its session.
func (s *Server) Resumes() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.resumes
}

// Intents are the gateway intents of the last Identify.
func (s *Server) Intents() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.intents
}
