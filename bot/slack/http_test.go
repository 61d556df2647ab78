package slack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/espbot/espbot/bot/slack/slacktest"
)

const (
	jsonType = "application/json"
	formType = "application/x-www-form-urlencoded"
)

// post sends body to the adapter's path, signed at time at, plus extra headers.
func (h *harness) post(tb testing.TB, path, contentType string, body []byte, at time.Time, edit func(*http.Request)) (int, string) {
	tb.Helper()
	req, err := slacktest.SignedRequest(h.http.URL+path, contentType, slacktest.SigningSecret, at, body)
	if err != nil {
		tb.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestHTTP_ValidSignatureAccepted(t *testing.T) {
	t.Parallel()
	h := start(t, ModeHTTP)
	body := mustJSON(t, slacktest.EventCallback("Ev1", mention("C1", "100.000001", testEntries[0].Title)))
	if code, _ := h.post(t, "/slack/events", jsonType, body, time.Now(), nil); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	c := h.next(t)
	if c.Method != "chat.postMessage" || c.Form.Get("thread_ts") != "100.000001" || headerText(c.Blocks()) != testEntries[0].Title {
		t.Errorf("got %s thread %q header %q", c.Method, c.Form.Get("thread_ts"), headerText(c.Blocks()))
	}
}

func TestHTTP_RejectedRequests(t *testing.T) {
	t.Parallel()
	h := start(t, ModeHTTP)
	body := mustJSON(t, slacktest.EventCallback("Ev1", mention("C1", "100.000001", testEntries[0].Title)))
	cases := []struct {
		name string
		at   time.Time
		edit func(*http.Request)
	}{
		{"bad signature", time.Now(), func(r *http.Request) {
			r.Header.Set("X-Slack-Signature", slacktest.Signature("wrong-secret", time.Now().Unix(), body))
		}},
		{"stale timestamp", time.Now().Add(-6 * time.Minute), nil},
		{"future timestamp", time.Now().Add(6 * time.Minute), nil},
		{"missing signature", time.Now(), func(r *http.Request) { r.Header.Del("X-Slack-Signature") }},
		{"missing timestamp", time.Now(), func(r *http.Request) { r.Header.Del("X-Slack-Request-Timestamp") }},
		{"tampered body", time.Now(), func(r *http.Request) {
			b := strings.Replace(string(body), "C1", "C2", 1)
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(b)), int64(len(b))
		}},
	}
	for _, path := range []string{"/slack/events", "/slack/commands", "/slack/interactions"} {
		for _, tc := range cases {
			if code, _ := h.post(t, path, jsonType, body, tc.at, tc.edit); code != http.StatusUnauthorized {
				t.Errorf("%s %s: status %d, want 401", path, tc.name, code)
			}
		}
	}
	if n := h.adapter.handled.Load(); n != 0 {
		t.Errorf("%d rejected requests were processed", n)
	}
	if calls := h.fake.Calls(); len(calls) != 0 {
		t.Errorf("rejected requests caused %d calls", len(calls))
	}
}

func TestHTTP_URLVerification(t *testing.T) {
	t.Parallel()
	h := start(t, ModeHTTP)
	body := mustJSON(t, map[string]any{"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
	code, resp := h.post(t, "/slack/events", jsonType, body, time.Now(), nil)
	var got struct{ Challenge string }
	if err := json.Unmarshal([]byte(resp), &got); code != http.StatusOK || err != nil || got.Challenge != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("status %d body %q, want 200 echoing the challenge", code, resp)
	}
}

func TestHTTP_RetryDeduplicated(t *testing.T) {
	t.Parallel()
	h := start(t, ModeHTTP)
	for _, retry := range []string{"", "1", "2"} { // retries are acked too
		h.deliver(t, "EvRetry", dm("200.000001", testEntries[1].Title), retry)
	}
	h.waitHandled(t, 3)
	if n := len(h.fake.Calls()); n != 1 {
		t.Errorf("%d replies to one event delivered three times, want 1", n)
	}
}

func TestHTTP_SlashCommandAndInteraction(t *testing.T) {
	t.Parallel()
	h := start(t, ModeHTTP, func(c *Config) { c.Ephemeral = false })
	rurl := h.fake.ResponseURL()
	form := url.Values{"command": {"/faq"}, "text": {testEntries[2].Title}, "team_id": {slacktest.TeamID},
		"channel_id": {"C1"}, "user_id": {"U1"}, "response_url": {rurl}, "trigger_id": {"t1"}}
	if code, body := h.post(t, "/slack/commands", formType, []byte(form.Encode()), time.Now(), nil); code != http.StatusOK || body != "" {
		t.Fatalf("status %d body %q, want an empty 200 ack", code, body)
	}
	c := h.next(t)
	if c.Method != "response_url" || c.JSON["response_type"] != "in_channel" || headerText(c.Blocks()) != testEntries[2].Title {
		t.Fatalf("got %s %v %q, want the answer in channel (ephemeral off)", c.Method, c.JSON["response_type"], headerText(c.Blocks()))
	}
	if hasAction(c.Blocks(), actionShare) {
		t.Error("in-channel answer has a Share button")
	}

	if !hasAction(c.Blocks(), actionDismiss) {
		t.Error("in-channel answer has no Dismiss button")
	}
	payload := mustJSON(t, h.click(t, c, actionUp, "U1", ""))
	ia := url.Values{"payload": {string(payload)}}
	if code, _ := h.post(t, "/slack/interactions", formType, []byte(ia.Encode()), time.Now(), nil); code != http.StatusOK {
		t.Fatalf("interaction status %d", code)
	}
	if c := h.next(t); !strings.Contains(c.Text(), "Thanks") {
		t.Errorf("thumbs up answered %q", c.Text())
	}
}

func TestHTTP_NotReadyBeforeRun(t *testing.T) {
	t.Parallel()
	a, err := New(Config{Mode: ModeHTTP, BotToken: "xoxb-1", SigningSecret: slacktest.SigningSecret, APIURL: "http://127.0.0.1:9/api/"}, newCore(t, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	h := &harness{http: httptest.NewServer(mux), adapter: a}
	defer h.http.Close()
	body := mustJSON(t, slacktest.EventCallback("Ev1", dm("1.1", "hello")))
	if code, _ := h.post(t, "/slack/events", jsonType, body, time.Now(), nil); code != http.StatusServiceUnavailable {
		t.Errorf("status %d before Run, want 503 so that Slack retries", code)
	}
}

func TestHTTP_SSLCheckAnsweredBeforeVerification(t *testing.T) {
	t.Parallel()
	h := start(t, ModeHTTP)
	body := "ssl_check=1&token=legacy-verification-token"
	resp, err := http.Post(h.http.URL+"/slack/commands", formType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("unsigned ssl_check: status %d, want 200", resp.StatusCode)
	}
	if code, _ := h.post(t, "/slack/commands", formType, []byte(body), time.Now(), nil); code != http.StatusOK {
		t.Errorf("signed ssl_check: status %d, want 200", code)
	}
	// Not an ssl_check, unsigned: refused.
	resp, err = http.Post(h.http.URL+"/slack/commands", formType, strings.NewReader("command=%2Ffaq&text=x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned command: status %d, want 401", resp.StatusCode)
	}
	if n := len(h.fake.Calls()); n != 0 {
		t.Errorf("%d calls for ssl_check requests", n)
	}
}

// rawRequest writes head (request line and headers) and then body to the
// server, and returns the status line of the answer, which must come within
// wait: a server that waited for the rest of the body would not answer.
func rawRequest(t *testing.T, h *harness, head, body string, wait time.Duration) string {
	t.Helper()
	conn, err := net.Dial("tcp", h.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head+"\r\n"+body); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "no answer: " + err.Error()
	}
	return strings.TrimSpace(line)
}

func requestHead(path string, contentLength int, at time.Time, signature string) string {
	return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"+
		"X-Slack-Request-Timestamp: %d\r\nX-Slack-Signature: %s\r\n", path, contentLength, at.Unix(), signature)
}

func TestHTTP_CheapRejections(t *testing.T) {
	t.Parallel()
	h := start(t, ModeHTTP)
	sig := slacktest.Signature(slacktest.SigningSecret, time.Now().Unix(), []byte("x"))
	cases := []struct {
		name, head, want string
	}{
		{"stale timestamp, 900 KB announced", requestHead("/slack/events", 900<<10, time.Now().Add(-time.Hour), sig), "401"},
		{"no signature, 900 KB announced", requestHead("/slack/events", 900<<10, time.Now(), ""), "401"},
		{"malformed signature", requestHead("/slack/events", 900<<10, time.Now(), "v0=zz"), "401"},
		{"oversized body", requestHead("/slack/interactions", 2<<20, time.Now(), sig), "413"},
	}
	for _, tc := range cases {
		// Only the first bytes of the body are sent: the answer must not
		// wait for the rest.
		if got := rawRequest(t, h, tc.head, `{"type":`, 2*time.Second); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %s at once", tc.name, got, tc.want)
		}
	}
	// A chunked body over the limit, properly signed, is cut off with 413.
	big := []byte(`{"type":"event_callback","x":"` + strings.Repeat("a", maxRequestBody) + `"}`)
	if code, _ := h.post(t, "/slack/events", jsonType, big, time.Now(), func(r *http.Request) {
		r.ContentLength = -1
		r.Body = io.NopCloser(bytes.NewReader(big))
	}); code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversized body: status %d, want 413", code)
	}
	if n := h.adapter.handled.Load(); n != 0 {
		t.Errorf("%d rejected requests were processed", n)
	}
}

func TestHTTP_SlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	h := startWith(t, setup{mode: ModeHTTP, tune: func(a *Adapter) { a.readTimeout = 200 * time.Millisecond }})
	body := `{"type":"event_callback","event":{"type":"app_mention"}}`
	head := requestHead("/slack/events", len(body), time.Now(), slacktest.Signature(slacktest.SigningSecret, time.Now().Unix(), []byte(body)))
	start := time.Now()
	got := rawRequest(t, h, head, body[:10], 3*time.Second)
	if took := time.Since(start); strings.HasPrefix(got, "no answer") || took > 2*time.Second {
		t.Errorf("slow body: %q after %s, want the request cut off after the read timeout", got, took)
	}
}

// lockedBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestHTTP_RejectionsLoggedOnceASecond(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	h := startWith(t, setup{mode: ModeHTTP, log: slog.New(slog.NewTextHandler(&logs, nil))})
	body := mustJSON(t, slacktest.EventCallback("Ev1", dm("1.1", "hello")))
	const n = 200
	start := time.Now()
	for range n {
		h.post(t, "/slack/events", jsonType, body, time.Now(), func(r *http.Request) { r.Header.Set("X-Slack-Signature", "v0=bad") })
	}
	secs := int(time.Since(start)/time.Second) + 1
	if lines := strings.Count(logs.String(), "rejected request"); lines == 0 || lines > secs {
		t.Errorf("%d log lines for %d rejected requests in under %d s, want 1 to %d", lines, n, secs, secs)
	}
	if got := h.metrics.count(func(m *testMetrics) int { return m.errors["signature"] }); got != n {
		t.Errorf("rejections counted %d, want %d", got, n)
	}
}
