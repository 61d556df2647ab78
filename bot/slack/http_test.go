package slack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
	body := mustJSON(t, slacktest.EventCallback("EvRetry", dm("200.000001", testEntries[1].Title)))
	for i, retry := range []string{"", "1", "2"} {
		code, _ := h.post(t, "/slack/events", jsonType, body, time.Now(), func(r *http.Request) {
			if retry != "" {
				r.Header.Set("X-Slack-Retry-Num", retry)
				r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
			}
		})
		if code != http.StatusOK {
			t.Errorf("delivery %d: status %d, want 200 (retries are acked too)", i, code)
		}
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
