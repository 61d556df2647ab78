package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault is how the fake fails one call, as Slack or the network may.
type Fault struct {
	// Status is the HTTP status answered (429, 500, 502, 503...).
	Status int
	// RetryAfter is the Retry-After of a 429, in seconds.
	RetryAfter int
	// Error is a JSON error answered with 200: {"ok": false, "error": Error}.
	Error string
	// Hangup closes the connection without answering.
	Hangup bool
	// AfterEffect makes the call take effect (the message is posted) before
	// the fault: the bot cannot tell whether it did.
	AfterEffect bool
}

// Inject makes the next n calls of method fail with f ("response_url" for
// response URL posts).
func (s *Server) Inject(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], f)
	}
}

// RateLimit makes the next n calls of method answer 429 with Retry-After.
func (s *Server) RateLimit(method string, n, retryAfterSeconds int) {
	s.Inject(method, n, Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfterSeconds})
}

// Fail makes the next n calls of method answer 500 without taking effect.
func (s *Server) Fail(method string, n int) {
	s.Inject(method, n, Fault{Status: http.StatusInternalServerError})
}

// HideMetadata makes conversations.history and .replies leave out message
// metadata, as for an app Slack does not show it to.
func (s *Server) HideMetadata() { s.hideMetadata.Store(true) }

// Stall makes every call of method hang until the client gives up or
// Unstall is called, as an unreachable Slack would.
func (s *Server) Stall(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.stalled[method]; !ok {
		s.stalled[method] = make(chan struct{})
	}
}

// Unstall ends Stall: the calls of method hanging now answer 503.
func (s *Server) Unstall(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.stalled[method]; ok {
		close(ch)
		delete(s.stalled, method)
	}
}

// stall holds a call of a stalled method until the client gives up or the
// method is unstalled; it reports whether it did.
func (s *Server) stall(w http.ResponseWriter, r *http.Request, method string) bool {
	s.mu.Lock()
	ch, ok := s.stalled[method]
	s.mu.Unlock()
	if !ok {
		return false
	}
	select {
	case <-r.Context().Done():
	case <-ch:
		http.Error(w, "unstalled", http.StatusServiceUnavailable)
	}
	return true
}

// takeFault returns the next fault injected for method.
func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.faults[method]
	if len(fs) == 0 {
		return Fault{}, false
	}
	s.faults[method] = fs[1:]
	return fs[0], true
}

// answer writes f instead of the call's own answer.
func answer(w http.ResponseWriter, f Fault) {
	switch {
	case f.Hangup:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
		http.Error(w, "hangup", http.StatusBadGateway)
	case f.Error != "":
		writeJSON(w, map[string]any{"ok": false, "error": f.Error})
	default:
		if f.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		http.Error(w, http.StatusText(f.Status), f.Status)
	}
}

// serveAPI answers a Web API call: a stall or fault first, then the method.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if s.stall(w, r, method) {
		return
	}
	f, faulty := s.takeFault(method)
	if faulty && !f.AfterEffect {
		s.record(Call{Method: method, Form: r.PostForm, Error: "fault", Fault: &f})
		answer(w, f)
		return
	}
	res := s.call(method, r)
	if faulty {
		answer(w, f)
		return
	}
	writeJSON(w, res)
}

// call runs one Web API method and returns its JSON answer.
func (s *Server) call(method string, r *http.Request) map[string]any {
	switch method {
	case "auth.test":
		if r.PostForm.Get("token") != BotToken {
			return map[string]any{"ok": false, "error": "invalid_auth"}
		}
		return map[string]any{"ok": true, "url": s.URL + "/", "team": "Test", "user": "espbot",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID}
	case "apps.connections.open":
		if r.Header.Get("Authorization") != "Bearer "+AppToken {
			return map[string]any{"ok": false, "error": "invalid_auth"}
		}
		return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.URL, "http") + "/socket"}
	}
	if r.PostForm.Get("token") != BotToken {
		return map[string]any{"ok": false, "error": "invalid_auth"}
	}
	switch method {
	case "chat.postMessage", "chat.postEphemeral":
		return s.post(method, r.PostForm)
	case "conversations.history", "conversations.replies":
		s.record(Call{Method: method, Form: r.PostForm})
		return s.read(method, r.PostForm)
	}
	s.record(Call{Method: method, Form: r.PostForm})
	return map[string]any{"ok": true}
}

// message is a message the bot posted, as conversations.history returns it.
type message struct {
	TS, ThreadTS, Text string
	Metadata           map[string]any
}

// post validates a message and keeps it, as chat.postMessage does.
func (s *Server) post(method string, form url.Values) map[string]any {
	c := Call{Method: method, Form: form}
	code, detail := Validate(form.Get("text"), form.Get("blocks"))
	switch {
	case code != "":
	case form.Get("channel") == "":
		code, detail = "channel_not_found", "no channel"
	case method == "chat.postEphemeral" && form.Get("user") == "":
		code, detail = "user_not_in_channel", "no user"
	}
	if code != "" {
		c.Error = code
		s.record(c)
		return map[string]any{"ok": false, "error": code, "errors": []string{detail}}
	}
	c.TS = fmt.Sprintf("%d.%06d", time.Now().Unix(), s.seq.Add(1))
	if method == "chat.postMessage" {
		m := message{TS: c.TS, ThreadTS: form.Get("thread_ts"), Text: form.Get("text")}
		_ = json.Unmarshal([]byte(form.Get("metadata")), &m.Metadata)
		s.mu.Lock()
		s.history[form.Get("channel")] = append(s.history[form.Get("channel")], m)
		s.mu.Unlock()
	}
	s.record(c)
	return map[string]any{"ok": true, "channel": form.Get("channel"), "ts": c.TS, "message_ts": c.TS}
}

// read answers conversations.history (messages outside threads) and
// conversations.replies (a thread's replies), newer than oldest, with their
// metadata when include_all_metadata is set.
func (s *Server) read(method string, form url.Values) map[string]any {
	oldest, _ := strconv.ParseFloat(form.Get("oldest"), 64)
	withMeta := form.Get("include_all_metadata") == "1"
	s.mu.Lock()
	msgs := slices.Clone(s.history[form.Get("channel")])
	s.mu.Unlock()
	out := []map[string]any{}
	for _, m := range msgs {
		ts, _ := strconv.ParseFloat(m.TS, 64)
		inThread := m.ThreadTS != "" && m.ThreadTS == form.Get("ts")
		if ts <= oldest || (method == "conversations.replies") != inThread {
			continue
		}
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": BotUserID, "bot_id": BotID}
		if m.ThreadTS != "" {
			msg["thread_ts"] = m.ThreadTS
		}
		if withMeta && m.Metadata != nil && !s.hideMetadata.Load() {
			msg["metadata"] = m.Metadata
		}
		out = append(out, msg)
	}
	if method == "conversations.history" {
		slices.Reverse(out) // newest first, as Slack returns history
	}
	return map[string]any{"ok": true, "messages": out, "has_more": false}
}

// serveResponse answers a response URL post: JSON, validated like a
// message unless it deletes the original.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	if s.stall(w, r, "response_url") {
		return
	}
	f, faulty := s.takeFault("response_url")
	if faulty && !f.AfterEffect {
		s.record(Call{Method: "response_url", ResponseURL: r.URL.Path, Error: "fault", Fault: &f})
		answer(w, f)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c := Call{Method: "response_url", JSON: body, ResponseURL: r.URL.Path}
	if body["delete_original"] != true {
		blocks := ""
		if b, ok := body["blocks"]; ok {
			raw, _ := json.Marshal(b)
			blocks = string(raw)
		}
		text, _ := body["text"].(string)
		c.Error, _ = Validate(text, blocks)
	}
	s.record(c)
	switch {
	case faulty:
		answer(w, f)
	case c.Error != "":
		writeJSON(w, map[string]any{"ok": false, "error": c.Error})
	default:
		writeJSON(w, map[string]any{"ok": true})
	}
}
