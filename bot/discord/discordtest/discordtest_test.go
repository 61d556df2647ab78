package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The fake's own rules, checked with plain HTTP and websocket clients: a
// fake that accepted anything would hide the bugs it is there to catch.

func call(t *testing.T, s *Server, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.APIURL()+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bot "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func code(m map[string]any) int {
	c, _ := m["code"].(float64)
	return int(c)
}

// gw is a raw gateway client.
type gw struct {
	t *testing.T
	c *websocket.Conn
}

func dial(t *testing.T, s *Server) *gw {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(s.gatewayURL()+"?v=9&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	g := &gw{t: t, c: c}
	if f := g.read(); f.Op != 10 {
		t.Fatalf("first frame op %d, want Hello", f.Op)
	}
	return g
}

func (g *gw) send(op int, d any) {
	g.t.Helper()
	if err := g.c.WriteJSON(map[string]any{"op": op, "d": d}); err != nil {
		g.t.Fatal(err)
	}
}

func (g *gw) read() frame {
	g.t.Helper()
	g.c.SetReadDeadline(time.Now().Add(AwaitTimeout))
	var f frame
	if err := g.c.ReadJSON(&f); err != nil {
		g.t.Fatalf("read: %v", err)
	}
	return f
}

// readType reads up to the dispatch of type typ.
func (g *gw) readType(typ string) frame {
	g.t.Helper()
	for {
		if f := g.read(); f.Op == 0 && f.Type == typ {
			return f
		}
	}
}

// closed reads until the server closes, and returns the close code.
func (g *gw) closed() int {
	g.t.Helper()
	g.c.SetReadDeadline(time.Now().Add(AwaitTimeout))
	for {
		_, _, err := g.c.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			return 0
		}
	}
}

func identify(token string, intents int) map[string]any {
	return map[string]any{"token": "Bot " + token, "intents": intents, "properties": map[string]string{"os": "linux"}}
}

func TestGateway_IdentifyRules(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Options{RefuseIntents: intentMessageContent})
	if status, _ := call(t, s, http.MethodGet, "/gateway", "", nil); status != http.StatusOK {
		t.Errorf("GET /gateway without a token: %d, want 200", status)
	}
	if status, _ := call(t, s, http.MethodGet, "/gateway/bot", "", nil); status != http.StatusUnauthorized {
		t.Errorf("GET /gateway/bot without a token: %d, want 401", status)
	}
	tests := []struct {
		name string
		d    map[string]any
		want int
	}{
		{"bad token", identify("nope", 1), 4004},
		{"unknown intent bit", identify(DefaultToken, 1<<30), 4013},
		{"privileged intent refused", identify(DefaultToken, intentMessageContent), 4014},
		{"shard out of range", func() map[string]any { d := identify(DefaultToken, 1); d["shard"] = []int{2, 2}; return d }(), 4010},
	}
	for _, tt := range tests {
		g := dial(t, s)
		g.send(2, tt.d)
		if got := g.closed(); got != tt.want {
			t.Errorf("%s: closed with %d, want %d", tt.name, got, tt.want)
		}
	}
	g := dial(t, s)
	g.send(8, map[string]any{})
	if got := g.closed(); got != 4003 {
		t.Errorf("a command before Identify: closed with %d, want 4003", got)
	}
}

func TestGateway_ResumeRules(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Options{HeartbeatInterval: 50 * time.Millisecond})
	g := dial(t, s)
	g.send(2, identify(DefaultToken, 1))
	ready := g.read()
	var r struct {
		SessionID string `json:"session_id"`
		ResumeURL string `json:"resume_gateway_url"`
	}
	json.Unmarshal(ready.Data, &r)
	if ready.Type != "READY" || r.SessionID == "" || !strings.HasSuffix(r.ResumeURL, resumePath) {
		t.Fatalf("READY %s", ready.Data)
	}
	// No heartbeats: closed with 4009 and the session ends.
	if got := g.closed(); got != 4009 {
		t.Fatalf("no heartbeats: closed with %d, want 4009", got)
	}
	if v := s.Violations(); len(v) != 1 || !strings.Contains(v[0], "heartbeat") {
		t.Errorf("violations %v", v)
	}
	g = dial(t, s)
	g.send(6, map[string]any{"token": "Bot " + DefaultToken, "session_id": r.SessionID, "seq": 1})
	if f := g.read(); f.Op != 9 || string(f.Data) != "false" {
		t.Errorf("resuming an ended session: op %d %s, want op 9 false", f.Op, f.Data)
	}
	// A resume with a sequence from the future is closed with 4007.
	g = dial(t, s)
	g.send(1, 0)
	g.send(2, identify(DefaultToken, 1))
	json.Unmarshal(g.readType("READY").Data, &r)
	s.DropGateway()
	g = dial(t, s)
	g.send(6, map[string]any{"token": "Bot " + DefaultToken, "session_id": r.SessionID, "seq": 99})
	if got := g.closed(); got != 4007 {
		t.Errorf("resume with a future seq: closed with %d, want 4007", got)
	}
}

func TestREST_Rules(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Options{Guilds: []Guild{{ID: "1", Channels: []Channel{
		{ID: "10", Type: ChannelText}, {ID: "11", Type: ChannelText, BotDeny: PermSendMessages},
	}}}})
	tok := DefaultToken
	if status, m := call(t, s, http.MethodPost, "/channels/11/messages", tok, map[string]any{"content": "hi"}); status != 403 || code(m) != 50013 {
		t.Errorf("send without Send Messages: %d %v, want 403 50013", status, m)
	}
	if status, m := call(t, s, http.MethodPost, "/channels/10/messages", tok, map[string]any{"content": ""}); status != 400 || code(m) != 50006 {
		t.Errorf("empty message: %d %v, want 400 50006", status, m)
	}
	ref := map[string]any{"content": "hi", "message_reference": map[string]any{"message_id": "404"}}
	if status, m := call(t, s, http.MethodPost, "/channels/10/messages", tok, ref); status != 400 || code(m) != 50035 {
		t.Errorf("reply to an unknown message: %d %v, want 400 50035", status, m)
	}
	bad := []map[string]any{{"name": "FAQ", "description": "x", "type": 1}}
	if status, m := call(t, s, http.MethodPut, "/applications/"+DefaultAppID+"/commands", tok, bad); status != 400 || code(m) != 50035 {
		t.Errorf("an upper-case slash command: %d %v, want 400 50035", status, m)
	}
	msgCmd := []map[string]any{{"name": "Ask espbot", "type": 3, "description": "not allowed"}}
	if status, _ := call(t, s, http.MethodPut, "/applications/"+DefaultAppID+"/commands", tok, msgCmd); status != 400 {
		t.Errorf("a message command with a description: %d, want 400", status)
	}
	if status, _ := call(t, s, http.MethodPut, "/applications/"+DefaultAppID+"/guilds/99/commands", tok, []any{}); status != 403 {
		t.Errorf("commands in a guild the bot is not in: %d, want 403", status)
	}
}

func TestCallback_Rules(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Options{InteractionDeadline: 50 * time.Millisecond})
	g := dial(t, s)
	g.send(1, 0)
	g.send(2, identify(DefaultToken, 1))
	g.readType("READY")
	answer := map[string]any{"type": 4, "data": map[string]any{"content": "hi"}}
	id := s.SlashCommand("", "700", User{ID: "42"}, "faq", nil)
	path := "/interactions/" + id + "/itoken-" + id + "/callback"
	if status, _ := call(t, s, http.MethodPost, path, "", answer); status != http.StatusNoContent {
		t.Fatalf("first callback: %d", status)
	}
	if status, m := call(t, s, http.MethodPost, path, "", answer); status != 400 || code(m) != 40060 {
		t.Errorf("second callback: %d %v, want 400 40060", status, m)
	}
	ac := s.Autocomplete("", "700", User{ID: "42"}, "faq", "question", "x")
	if status, _ := call(t, s, http.MethodPost, "/interactions/"+ac+"/itoken-"+ac+"/callback", "", answer); status != 400 {
		t.Errorf("a message answering autocomplete: %d, want 400", status)
	}
	late := s.SlashCommand("", "700", User{ID: "42"}, "faq", nil)
	time.Sleep(60 * time.Millisecond) // past the fake's deadline, whatever the machine's load
	if status, m := call(t, s, http.MethodPost, "/interactions/"+late+"/itoken-"+late+"/callback", "", answer); status != 404 || code(m) != 10062 {
		t.Errorf("late callback: %d %v, want 404 10062", status, m)
	}
}
