package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// espbot talks to Discord's gateway itself and uses discordgo for REST and
// its types. discordgo v0.29 (the newest release) resumes on the address of
// GET /gateway instead of READY's resume_gateway_url, identifies again on
// the same connection after op 9, retries every close code including the
// ones no retry can fix, and leaves identify budgets and sharding to the
// caller; the fix for the first is on discordgo's master, which is not
// released. This file is the small gateway client that does those things
// right: one shard is one connection with its session.

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
)

// gatewayVersion is the API version of the gateway URL and of the REST
// paths discordgo uses.
const gatewayVersion = "9"

// payload is one gateway frame.
type payload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d,omitempty"`
	S  int64           `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

// gatewayTiming holds the gateway's waits, so tests can shorten them.
type gatewayTiming struct {
	// handshake bounds the wait for Hello and for READY or RESUMED.
	handshake time.Duration
	// backoffMin and backoffMax bound the wait between failed connections.
	backoffMin, backoffMax time.Duration
	// invalidSession is the wait after op 9 before identifying again
	// (Discord asks for 1 to 5 seconds).
	invalidSession func() time.Duration
	// jitter is the fraction of the interval before the first heartbeat.
	jitter func() float64
}

// closeError is a gateway close code that no reconnect can fix.
type closeError struct {
	code   int
	reason string
}

func (e *closeError) Error() string {
	return fmt.Sprintf("gateway closed with %d: %s", e.code, e.reason)
}

// fatalCloseCodes are the close codes that mean "fix the configuration".
// 4013 is an intents value Discord does not know (a bug), not a privileged
// intent the application lacks: that is 4014.
var fatalCloseCodes = map[int]string{
	4004: "authentication failed: the token is not valid (it may have been reset)",
	4010: "invalid shard: a shard ID is not below the shard count (check discord.shards and discord.shard_ids)",
	4011: "sharding required: the bot is in too many guilds for this shard count (set discord.shards: auto, or a larger count)",
	4012: "invalid gateway API version",
	4013: "invalid intents: Discord does not know this intents value (a bug in espbot)",
	4014: "disallowed intents: enable the Message Content intent for the application in the Developer Portal, or set discord.message_content: false",
}

// closeCodeMeaning says what a close code means in the logs.
func closeCodeMeaning(code int) string {
	if r, ok := fatalCloseCodes[code]; ok {
		return r
	}
	switch code {
	case 4000:
		return "unknown error; resuming"
	case 4001, 4002, 4003, 4005:
		return "the gateway refused a payload (a bug); resuming"
	case 4007:
		return "invalid sequence on resume; starting a new session"
	case 4008:
		return "rate limited; resuming"
	case 4009:
		return "session timed out; starting a new session"
	}
	return "connection closed; resuming"
}

// errReconnect ends a connection that should be resumed at once.
var errReconnect = errors.New("gateway asked to reconnect")

// shard is one gateway connection with its session. Its fields other than
// the atomics belong to the goroutine running run.
type shard struct {
	id, count int
	token     string
	intents   discordgo.Intent
	gateway   string // from GET /gateway/bot
	dialer    *websocket.Dialer
	limiter   *identifyLimiter
	log       *slog.Logger
	timing    gatewayTiming
	// onEvent receives dispatches on the reading goroutine, in order.
	onEvent func(sh *shard, typ string, data json.RawMessage)
	// onConnected is told when the shard is serving (READY or RESUMED) and
	// when it stops.
	onConnected func(sh *shard, up bool)
	// onPanic logs and counts a panic recovered on the heartbeat goroutine.
	onPanic func(what string, v any)

	sessionID string
	resumeURL string
	seq       atomic.Int64
	sessions  int // READY or RESUMED received, over the shard's life
}

// run keeps the shard connected until ctx is done or a close code no
// reconnect can fix ends it.
func (sh *shard) run(ctx context.Context) error {
	failures := 0
	for {
		served, err := sh.connect(ctx)
		sh.onConnected(sh, false)
		if ctx.Err() != nil {
			return nil
		}
		var ce *closeError
		if errors.As(err, &ce) {
			return err
		}
		if served {
			failures = 0
		} else {
			failures++
		}
		wait := sh.backoff(failures)
		sh.log.Warn("gateway connection ended; reconnecting", "shard", sh.id, "err", err, "resume", sh.resumable(), "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return nil
		}
	}
}

// backoff doubles from backoffMin to backoffMax; a connection that was
// serving is retried at once (a resume).
func (sh *shard) backoff(failures int) time.Duration {
	if failures == 0 {
		return 0
	}
	d := sh.timing.backoffMin << min(failures-1, 16)
	return min(d, sh.timing.backoffMax)
}

func (sh *shard) resumable() bool { return sh.sessionID != "" && sh.seq.Load() > 0 }

// newSession forgets the session: the next connection identifies.
func (sh *shard) newSession() {
	sh.sessionID, sh.resumeURL = "", ""
	sh.seq.Store(0)
}

// connect runs one connection: handshake, then events until it ends.
// served says whether READY or RESUMED arrived.
func (sh *shard) connect(ctx context.Context) (served bool, err error) {
	resuming := sh.resumable()
	base := sh.gateway
	if resuming && sh.resumeURL != "" {
		base = sh.resumeURL
	}
	ws, _, err := sh.dialer.DialContext(ctx, gatewayURL(base), nil)
	if err != nil {
		return false, fmt.Errorf("dial %s: %w", redactURL(base), err)
	}
	c := &gwConn{ws: ws}
	defer ws.Close()
	// Shutting down closes with 1000, which ends the session at Discord so
	// the bot goes offline at once; any other close keeps it resumable.
	stop := context.AfterFunc(ctx, func() { c.close(websocket.CloseNormalClosure) })
	defer stop()
	interval, err := sh.hello(c)
	if err != nil {
		return false, err
	}
	if err := sh.authenticate(ctx, c, resuming); err != nil {
		return false, err
	}
	hbCtx, stopBeats := context.WithCancel(ctx)
	var beats sync.WaitGroup
	beats.Add(1)
	go func() {
		defer beats.Done()
		defer func() {
			if v := recover(); v != nil {
				sh.onPanic("heartbeat", v)
				c.close(4000) // a connection without heartbeats would die: resume now
			}
		}()
		sh.heartbeat(hbCtx, c, interval)
	}()
	defer beats.Wait()
	defer stopBeats()
	return sh.serve(ctx, c)
}

// gatewayURL adds the version and encoding to a gateway address.
func gatewayURL(base string) string {
	if !strings.HasSuffix(base, "/") && !strings.Contains(base, "?") {
		base += "/"
	}
	return base + "?v=" + gatewayVersion + "&encoding=json"
}

// redactURL keeps a gateway address loggable (no query).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid URL)"
	}
	u.RawQuery = ""
	return u.String()
}

// hello reads op 10 and returns the heartbeat interval.
func (sh *shard) hello(c *gwConn) (time.Duration, error) {
	p, err := c.read(sh.timing.handshake)
	if err != nil {
		return 0, sh.readError(err)
	}
	var h struct {
		Interval int64 `json:"heartbeat_interval"`
	}
	if p.Op != opHello || json.Unmarshal(p.D, &h) != nil || h.Interval <= 0 {
		return 0, fmt.Errorf("gateway sent op %d instead of Hello", p.Op)
	}
	return time.Duration(h.Interval) * time.Millisecond, nil
}

// authenticate resumes the session, or identifies once the identify budget
// allows.
func (sh *shard) authenticate(ctx context.Context, c *gwConn, resuming bool) error {
	if resuming {
		return c.send(opResume, map[string]any{"token": sh.token, "session_id": sh.sessionID, "seq": sh.seq.Load()})
	}
	if err := sh.limiter.wait(ctx, sh.id); err != nil {
		return err
	}
	d := map[string]any{
		"token":      sh.token,
		"intents":    sh.intents,
		"properties": map[string]string{"os": "linux", "browser": "espbot", "device": "espbot"},
	}
	if sh.count > 1 {
		d["shard"] = [2]int{sh.id, sh.count}
	}
	return c.send(opIdentify, d)
}

// serve reads frames until the connection ends.
func (sh *shard) serve(ctx context.Context, c *gwConn) (served bool, err error) {
	deadline := sh.timing.handshake
	for {
		p, err := c.read(deadline)
		if err != nil {
			return served, sh.readError(err)
		}
		switch p.Op {
		case opDispatch:
			sh.seq.Store(p.S)
			if sh.dispatched(p) {
				served, deadline = true, 0
			}
		case opHeartbeat:
			if err := c.send(opHeartbeat, sh.seq.Load()); err != nil {
				return served, err
			}
		case opHeartbeatAck:
			c.acked.Store(true)
		case opReconnect:
			c.close(4000) // not 1000: the session stays resumable
			return served, errReconnect
		case opInvalidSession:
			return served, sh.invalidSession(ctx, p.D)
		}
	}
}

// dispatched handles READY and RESUMED, hands every event on, and reports
// whether the shard now serves.
func (sh *shard) dispatched(p payload) bool {
	up := false
	switch p.T {
	case "READY":
		var r struct {
			SessionID string `json:"session_id"`
			ResumeURL string `json:"resume_gateway_url"`
		}
		json.Unmarshal(p.D, &r)
		sh.sessionID, sh.resumeURL = r.SessionID, r.ResumeURL
		up = true
	case "RESUMED":
		up = true
	}
	sh.onEvent(sh, p.T, p.D)
	if up {
		sh.sessions++
		sh.onConnected(sh, true)
	}
	return up
}

// invalidSession handles op 9: d says whether the session may be resumed.
// Either way the connection is closed and a new one made, after the short
// random wait Discord asks for.
func (sh *shard) invalidSession(ctx context.Context, d json.RawMessage) error {
	var resumable bool
	json.Unmarshal(d, &resumable)
	if !resumable {
		sh.newSession()
	}
	sleep(ctx, sh.timing.invalidSession())
	return fmt.Errorf("invalid session (resumable: %v)", resumable)
}

// readError turns a read failure into the reconnect decision: close codes
// no reconnect can fix end the shard; 4007 and 4009 start a new session.
func (sh *shard) readError(err error) error {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return err
	}
	if reason, fatal := fatalCloseCodes[ce.Code]; fatal {
		return &closeError{code: ce.Code, reason: reason}
	}
	if ce.Code == 4007 || ce.Code == 4009 {
		sh.newSession()
	}
	return fmt.Errorf("gateway closed with %d (%s): %w", ce.Code, closeCodeMeaning(ce.Code), err)
}

// heartbeat beats every interval, the first after a random part of it. A
// beat not acknowledged by the next one means a dead ("zombie") connection:
// it is closed so that the shard resumes on a new one.
func (sh *shard) heartbeat(ctx context.Context, c *gwConn, interval time.Duration) {
	first := time.Duration(float64(interval) * sh.timing.jitter())
	t := time.NewTimer(first)
	defer t.Stop()
	c.acked.Store(true)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !c.acked.Swap(false) {
			sh.log.Warn("gateway did not acknowledge a heartbeat; reconnecting", "shard", sh.id)
			c.close(4000)
			return
		}
		if c.send(opHeartbeat, sh.seq.Load()) != nil {
			return
		}
		t.Reset(interval)
	}
}

// gwConn serialises writes to one gateway websocket.
type gwConn struct {
	ws    *websocket.Conn
	mu    sync.Mutex
	acked atomic.Bool
}

func (c *gwConn) send(op int, d any) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode op %d: %w", op, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := c.ws.WriteJSON(payload{Op: op, D: raw}); err != nil {
		return fmt.Errorf("send op %d: %w", op, err)
	}
	return nil
}

// read reads one frame, within timeout when it is not zero. Text frames
// only: espbot asks for neither compression nor ETF.
func (c *gwConn) read(timeout time.Duration) (payload, error) {
	if timeout > 0 {
		c.ws.SetReadDeadline(time.Now().Add(timeout))
	} else {
		c.ws.SetReadDeadline(time.Time{})
	}
	var p payload
	_, raw, err := c.ws.ReadMessage()
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("decode gateway frame: %w", err)
	}
	return p, nil
}

// close sends a close frame with code and closes the connection; the
// reading goroutine then sees an error.
func (c *gwConn) close(code int) {
	c.mu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
	c.mu.Unlock()
	c.ws.Close()
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
