package discordtest

import (
	"encoding/json"
	"net/http"
	"strconv"
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

// Gateway paths: clients connect to gatewayPath (from GET /gateway) and
// should resume on resumePath (READY's resume_gateway_url).
const (
	gatewayPath = "/gateway/"
	resumePath  = "/resume-gateway/"
)

// knownIntents are the intent bits Discord defines; Identify with any other
// bit is closed with 4013.
const knownIntents = 1<<26 - 1

// session is one gateway session (one shard's), which outlives its
// connections: events dispatched while it is disconnected are replayed on
// resume.
type session struct {
	id           string
	shard, count int
	seq          int64
	history      []event
	conn         *wsConn // nil while disconnected
}

// gateway is the fake's websocket side. It follows Discord's rules where a
// lax fake would hide client bugs: heartbeats are required, Identify and
// Resume are checked (token, intents, shard, sequence, session start
// budget), each guild's events go to the shard that owns it, and sessions
// can be invalidated (op 9), asked to reconnect (op 7) or timed out (4009).
type gateway struct {
	s        *Server
	upgrader websocket.Upgrader

	mu         sync.Mutex
	all        map[*wsConn]bool
	sessions   map[string]*session // by session ID
	byShard    map[int]*session    // the latest session of each shard
	shardCount int                 // of the latest Identify
	identifies int
	resumes    map[string]int // by path
	heartbeats int
	intents    int
	closed     bool
	ready      chan struct{} // closed and replaced on each READY/RESUMED
	// budget is the session start limit left; resetAt is when it refills.
	budget     int
	resetAt    time.Time
	lastBucket map[int]time.Time // last Identify per max_concurrency bucket
	violations []string
	// nextResumeClose closes the next Resume with this code (4007 tests).
	nextResumeClose int
	noAcks          bool

	handlers sync.WaitGroup
}

// wsConn is one websocket connection and its state.
type wsConn struct {
	mu   sync.Mutex
	c    *websocket.Conn
	path string

	// guarded by gateway.mu
	sess     *session
	beat     chan struct{} // a heartbeat arrived
	finished chan struct{} // the connection's handler returned
}

func (c *wsConn) write(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.c.WriteMessage(websocket.TextMessage, b)
}

func (c *wsConn) closeWith(code int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.c.Close()
}

func (g *gateway) init(s *Server) {
	g.s = s
	g.all = map[*wsConn]bool{}
	g.sessions = map[string]*session{}
	g.byShard = map[int]*session{}
	g.resumes = map[string]int{}
	g.lastBucket = map[int]time.Time{}
	g.shardCount = 1
	g.ready = make(chan struct{})
	g.budget = s.opts.SessionStartLimit.Total
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
	if r.URL.Query().Get("v") != "9" || r.URL.Query().Get("encoding") != "json" {
		http.Error(w, "want ?v=9&encoding=json", http.StatusBadRequest)
		return
	}
	c, err := g.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &wsConn{c: c, path: r.URL.Path, beat: make(chan struct{}, 1), finished: make(chan struct{})}
	g.mu.Lock()
	g.all[conn] = true
	g.mu.Unlock()
	defer g.forget(conn)
	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": g.s.opts.HeartbeatInterval.Milliseconds()})
	if err := conn.write(mustJSON(frame{Op: 10, Data: hello})); err != nil {
		return
	}
	g.handlers.Add(1)
	go g.watchHeartbeats(conn)
	g.read(conn)
}

// forget detaches a finished connection from its session.
func (g *gateway) forget(conn *wsConn) {
	g.mu.Lock()
	delete(g.all, conn)
	if conn.sess != nil && conn.sess.conn == conn {
		conn.sess.conn = nil
	}
	g.mu.Unlock()
	close(conn.finished)
	conn.c.Close()
}

// watchHeartbeats closes a connection whose client stops heartbeating, as
// Discord does: a heartbeat is due every interval, with some slack.
func (g *gateway) watchHeartbeats(conn *wsConn) {
	defer g.handlers.Done()
	limit := g.s.opts.HeartbeatInterval*3/2 + time.Second
	t := time.NewTimer(limit)
	defer t.Stop()
	for {
		select {
		case <-conn.finished:
			return
		case <-conn.beat:
			t.Reset(limit)
		case <-t.C:
			g.mu.Lock()
			g.violations = append(g.violations, "no heartbeat within "+limit.String())
			g.dropSessionLocked(conn.sess)
			g.mu.Unlock()
			conn.closeWith(4009, "Session timed out.")
			return
		}
	}
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
			conn.closeWith(4002, "Error while decoding payload.")
			return
		}
		if !g.handle(conn, f) {
			return
		}
	}
}

// handle answers one client frame; false ends the connection.
func (g *gateway) handle(conn *wsConn, f frame) bool {
	switch f.Op {
	case 1:
		select {
		case conn.beat <- struct{}{}:
		default:
		}
		g.mu.Lock()
		g.heartbeats++
		noAcks := g.noAcks
		g.mu.Unlock()
		return noAcks || conn.write(mustJSON(frame{Op: 11})) == nil
	case 2:
		return g.identify(conn, f.Data)
	case 6:
		return g.resume(conn, f.Data)
	case 3, 4, 8:
		if g.authenticated(conn) {
			return true
		}
		conn.closeWith(4003, "Not authenticated.")
		return false
	}
	conn.closeWith(4001, "Unknown opcode.")
	return false
}

func (g *gateway) authenticated(conn *wsConn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return conn.sess != nil
}

type identifyData struct {
	Token      string `json:"token"`
	Intents    *int   `json:"intents"`
	Shard      []int  `json:"shard"`
	Properties struct {
		OS string `json:"os"`
	} `json:"properties"`
}

// identify starts a new session: READY, then a GUILD_CREATE per guild of
// the shard.
func (g *gateway) identify(conn *wsConn, data json.RawMessage) bool {
	var id identifyData
	json.Unmarshal(data, &id)
	shard, count := 0, 1
	if len(id.Shard) == 2 {
		shard, count = id.Shard[0], id.Shard[1]
	}
	if code, text := g.checkIdentify(conn, id, shard, count); code != 0 {
		conn.closeWith(code, text)
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dropSessionLocked(g.byShard[shard])
	sess := &session{id: g.s.NewID(), shard: shard, count: count, conn: conn}
	g.sessions[sess.id] = sess
	g.byShard[shard] = sess
	g.shardCount = count
	conn.sess = sess
	g.identifies++
	g.intents = *id.Intents
	guilds := []map[string]any{}
	for _, gd := range g.s.opts.Guilds {
		if GuildShard(gd.ID, count) == shard {
			guilds = append(guilds, map[string]any{"id": gd.ID, "unavailable": true})
		}
	}
	ready := map[string]any{
		"v":                  9,
		"user":               g.s.BotUser(),
		"session_id":         sess.id,
		"resume_gateway_url": "ws" + g.s.URL[len("http"):] + resumePath,
		"guilds":             guilds,
		"application":        map[string]any{"id": g.s.opts.AppID, "flags": 0},
	}
	if len(id.Shard) == 2 {
		ready["shard"] = id.Shard
	}
	g.sendLocked(sess, "READY", ready)
	for _, gd := range g.s.opts.Guilds {
		if GuildShard(gd.ID, count) == shard {
			g.sendLocked(sess, "GUILD_CREATE", g.s.guildCreate(gd))
		}
	}
	close(g.ready)
	g.ready = make(chan struct{})
	return true
}

// checkIdentify applies Discord's rules to an Identify; a non-zero code is
// the close code to answer with.
func (g *gateway) checkIdentify(conn *wsConn, id identifyData, shard, count int) (int, string) {
	o := g.s.opts
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	switch {
	case conn.sess != nil:
		return 4005, "Already authenticated."
	case id.Token != "Bot "+o.Token:
		return 4004, "Authentication failed."
	case id.Intents == nil || *id.Intents&^knownIntents != 0 || *id.Intents < 0:
		return 4013, "Invalid intent(s)."
	case *id.Intents&o.RefuseIntents != 0:
		return 4014, "Disallowed intent(s)."
	case shard < 0 || count < 1 || shard >= count:
		return 4010, "Invalid shard."
	case o.RequireShards > 0 && count < o.RequireShards:
		return 4011, "Sharding required."
	}
	if !g.resetAt.IsZero() && now.After(g.resetAt) {
		g.budget, g.resetAt = o.SessionStartLimit.Total, time.Time{}
	}
	if g.budget <= 0 {
		g.violations = append(g.violations, "Identify beyond the session start limit")
		return 4008, "Rate limited."
	}
	bucket := shard % max(o.SessionStartLimit.MaxConcurrency, 1)
	if last, ok := g.lastBucket[bucket]; ok && now.Sub(last) < o.IdentifyInterval/2 {
		g.violations = append(g.violations, "two Identify in bucket "+strconv.Itoa(bucket)+" within "+o.IdentifyInterval.String())
		return 4008, "Rate limited."
	}
	g.lastBucket[bucket] = now
	g.budget--
	if g.resetAt.IsZero() {
		g.resetAt = now.Add(o.SessionStartLimit.ResetAfter)
	}
	return 0, ""
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
	sess := g.sessions[rs.SessionID]
	switch {
	case conn.sess != nil:
		g.closeLocked(conn, 4005, "Already authenticated.")
		return false
	case rs.Token != "Bot "+g.s.opts.Token:
		g.closeLocked(conn, 4004, "Authentication failed.")
		return false
	case sess == nil:
		// Invalid session, not resumable: the client must identify anew,
		// on a new connection.
		conn.write(mustJSON(frame{Op: 9, Data: json.RawMessage("false")}))
		conn.c.Close()
		return false
	case g.nextResumeClose != 0 || rs.Seq > sess.seq:
		code := g.nextResumeClose
		if code == 0 {
			code = 4007
		}
		g.nextResumeClose = 0
		g.dropSessionLocked(sess)
		g.closeLocked(conn, code, "Invalid seq.")
		return false
	}
	if old := sess.conn; old != nil && old != conn {
		old.c.Close()
	}
	g.resumes[conn.path]++
	sess.conn = conn
	conn.sess = sess
	for _, e := range sess.history {
		if e.seq > rs.Seq && conn.write(e.raw) != nil {
			return false
		}
	}
	g.sendLocked(sess, "RESUMED", map[string]any{})
	close(g.ready)
	g.ready = make(chan struct{})
	return true
}

func (g *gateway) closeLocked(conn *wsConn, code int, text string) {
	g.mu.Unlock()
	conn.closeWith(code, text)
	g.mu.Lock()
}

// dropSessionLocked ends a session for good: it cannot be resumed.
func (g *gateway) dropSessionLocked(sess *session) {
	if sess == nil {
		return
	}
	delete(g.sessions, sess.id)
	if g.byShard[sess.shard] == sess {
		delete(g.byShard, sess.shard)
	}
}

// sendLocked numbers an event, keeps it for resumes and sends it on the
// session's connection, if any.
func (g *gateway) sendLocked(sess *session, typ string, d any) int64 {
	sess.seq++
	raw := mustJSON(frame{Op: 0, Seq: sess.seq, Type: typ, Data: mustJSON(d)})
	sess.history = append(sess.history, event{seq: sess.seq, raw: raw})
	if sess.conn != nil {
		sess.conn.write(raw)
	}
	return sess.seq
}

func (g *gateway) closeAll() {
	g.mu.Lock()
	g.closed = true
	conns := make([]*wsConn, 0, len(g.all))
	for c := range g.all {
		conns = append(conns, c)
	}
	g.mu.Unlock()
	for _, c := range conns {
		c.c.Close()
	}
}

func (g *gateway) wait() { g.handlers.Wait() }

// liveConns returns the connections of current sessions.
func (g *gateway) liveConns() []*wsConn {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []*wsConn
	for _, sess := range g.byShard {
		if sess.conn != nil {
			out = append(out, sess.conn)
		}
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("discordtest: " + err.Error())
	}
	return b
}

// GuildShard is the shard that receives a guild's events: (guild_id >> 22)
// % count, as Discord computes it.
func GuildShard(guildID string, count int) int {
	id, _ := strconv.ParseUint(guildID, 10, 64)
	if count < 1 {
		count = 1
	}
	return int((id >> 22) % uint64(count))
}

// Dispatch sends a gateway event (op 0) of type typ with payload d to the
// shard owning guild ("" for DMs: shard 0), and returns its sequence number
// and when it was written to the socket. While the shard is disconnected,
// the event waits for a resume; with no session at all it is lost (0).
func (s *Server) Dispatch(guild, typ string, d any) (int64, time.Time) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	sess := s.gw.byShard[GuildShard(guild, s.gw.shardCount)]
	if sess == nil {
		return 0, time.Now()
	}
	return s.gw.sendLocked(sess, typ, d), time.Now()
}

// DropGateway closes every gateway connection abruptly, without a close
// frame, as a network failure would. Sessions stay resumable.
func (s *Server) DropGateway() {
	for _, c := range s.gw.liveConns() {
		c.c.Close()
	}
}

// CloseGateway closes every gateway connection with a close frame carrying
// code, as Discord does for an invalid token (4004) or disallowed intents
// (4014). 4007 and 4009 also end the sessions.
func (s *Server) CloseGateway(code int, reason string) {
	conns := s.gw.liveConns()
	if code == 4007 || code == 4009 {
		s.gw.mu.Lock()
		for _, c := range conns {
			s.gw.dropSessionLocked(c.sess)
		}
		s.gw.mu.Unlock()
	}
	for _, c := range conns {
		c.closeWith(code, reason)
	}
}

// RequestReconnect sends op 7 (Reconnect) on every connection: clients must
// reconnect and resume.
func (s *Server) RequestReconnect() {
	for _, c := range s.gw.liveConns() {
		c.write(mustJSON(frame{Op: 7}))
	}
}

// InvalidateSessions sends op 9 (Invalid Session) with d = resumable on
// every connection, then closes them. Sessions that are not resumable are
// forgotten: clients must identify anew.
func (s *Server) InvalidateSessions(resumable bool) {
	conns := s.gw.liveConns()
	if !resumable {
		s.gw.mu.Lock()
		for _, c := range conns {
			s.gw.dropSessionLocked(c.sess)
		}
		s.gw.mu.Unlock()
	}
	for _, c := range conns {
		c.write(mustJSON(frame{Op: 9, Data: mustJSON(resumable)}))
		c.c.Close()
	}
}

// FailNextResume closes the next Resume with code (4007: invalid seq,
// 4009: session timed out) and forgets its session.
func (s *Server) FailNextResume(code int) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	s.gw.nextResumeClose = code
}

// StopHeartbeatAcks makes the gateway stop answering heartbeats, as a
// zombie connection does: clients must reconnect.
func (s *Server) StopHeartbeatAcks(stop bool) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	s.gw.noAcks = stop
}

// Connected reports whether a client is identified or resumed on shard 0.
func (s *Server) Connected() bool {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	sess := s.gw.byShard[0]
	return sess != nil && sess.conn != nil
}

// ConnectedShards lists the shards with a connected session.
func (s *Server) ConnectedShards() []int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	var out []int
	for id, sess := range s.gw.byShard {
		if sess.conn != nil {
			out = append(out, id)
		}
	}
	return out
}

// AwaitConnected waits until a client has identified or resumed shard 0.
func (s *Server) AwaitConnected(tb interface {
	Helper()
	Fatalf(string, ...any)
}) {
	tb.Helper()
	s.AwaitShards(tb, 1, 0)
}

// AwaitShards waits until shards ids of count have connected sessions.
func (s *Server) AwaitShards(tb interface {
	Helper()
	Fatalf(string, ...any)
}, count int, ids ...int) {
	tb.Helper()
	deadline := time.NewTimer(AwaitTimeout)
	defer deadline.Stop()
	for {
		s.gw.mu.Lock()
		ok, ch := true, s.gw.ready
		for _, id := range ids {
			sess := s.gw.byShard[id]
			ok = ok && sess != nil && sess.conn != nil && sess.count == count
		}
		s.gw.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("fake discord: shards %v of %d not connected within %v (connected: %v)", ids, count, AwaitTimeout, s.ConnectedShards())
		}
	}
}

// Identifies is how many times a client identified (new sessions).
func (s *Server) Identifies() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.identifies
}

// Resumes is how many times a client resumed a session, on any URL.
func (s *Server) Resumes() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	n := 0
	for _, k := range s.gw.resumes {
		n += k
	}
	return n
}

// ResumesOnResumeURL is how many resumes used READY's resume_gateway_url.
func (s *Server) ResumesOnResumeURL() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.resumes[resumePath]
}

// Heartbeats is how many heartbeats clients sent.
func (s *Server) Heartbeats() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.heartbeats
}

// Intents are the gateway intents of the last Identify.
func (s *Server) Intents() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.intents
}

// Violations lists the protocol rules clients broke (missed heartbeats,
// Identify beyond the budget or too fast, interaction callbacks too late
// or twice...). Tests of well-behaved clients expect none.
func (s *Server) Violations() []string {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return append([]string(nil), s.gw.violations...)
}

func (s *Server) violate(v string) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	s.gw.violations = append(s.gw.violations, v)
}
