package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/slack/slacktest"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// TestMain fails the package when any test leaves a goroutine behind: the
// adapters, the slack-go clients and the fakes must all shut down cleanly.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitFor bounds every wait of the end-to-end tests; it is a failure
// timeout, not a measurement.
const waitFor = 10 * time.Second

// Questions used by the tests: exact titles always match, whatever the
// matcher's tuning.
var testEntries = []knowledge.Entry{
	{
		ID: "wifi-ps", Title: "How to disable Wi-Fi power save mode on ESP32?", Category: "Wi-Fi",
		Chips: []string{"ESP32"},
		Body: knowledge.Doc{Blocks: []knowledge.Block{
			{Kind: knowledge.Paragraph, Inlines: []knowledge.Inline{
				{Kind: knowledge.Text, Text: "Call "},
				{Kind: knowledge.Literal, Text: "esp_wifi_set_ps(WIFI_PS_NONE)"},
				{Kind: knowledge.Text, Text: " after Wi-Fi starts & see "},
				{Kind: knowledge.LinkRef, Text: "the guide", URL: "https://docs.espressif.com/wifi?a=1&b=2"},
				{Kind: knowledge.Text, Text: "."},
			}},
			{Kind: knowledge.Code, Lang: "c", Code: "esp_wifi_set_ps(WIFI_PS_NONE);"},
		}},
		Source: knowledge.Source{Path: "testdata/wifi.rst", Line: 3},
	},
	{
		ID: "ota-https", Title: "Does ESP8266 support encrypted firmware downloads?", Category: "Protocols",
		Chips: []string{"ESP8266"},
		Body: knowledge.Doc{Blocks: []knowledge.Block{
			{Kind: knowledge.Paragraph, Inlines: []knowledge.Inline{{Kind: knowledge.Text, Text: "Yes, with esp_https_ota."}}},
		}},
	},
	{
		ID: "mqtt-certs", Title: "Which MQTT brokers accept client certificates?", Category: "Protocols",
		Body: knowledge.Doc{Blocks: []knowledge.Block{
			{Kind: knowledge.List, Items: [][]knowledge.Block{
				{{Kind: knowledge.Paragraph, Inlines: []knowledge.Inline{{Kind: knowledge.Text, Text: "Mosquitto"}}}},
				{{Kind: knowledge.Paragraph, Inlines: []knowledge.Inline{{Kind: knowledge.Text, Text: "EMQX"}}}},
			}},
		}},
	},
}

const offTopic = "banana smoothie recipe with yoghurt"

// testMetrics counts what the tests assert on.
type testMetrics struct {
	bot.NopMetrics
	mu         sync.Mutex
	feedback   map[bot.FeedbackKind]int
	reconnects int
	errors     map[string]int
}

func newTestMetrics() *testMetrics {
	return &testMetrics{feedback: map[bot.FeedbackKind]int{}, errors: map[string]int{}}
}

func (m *testMetrics) Feedback(_ bot.Platform, k bot.FeedbackKind) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feedback[k]++
}

func (m *testMetrics) Reconnect(bot.Platform) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reconnects++
}

func (m *testMetrics) Error(_ bot.Platform, where string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errors[where]++
}

func (m *testMetrics) count(f func(*testMetrics) int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return f(m)
}

// newCore builds the real core over testEntries, with CAUTO an auto channel.
func newCore(tb testing.TB, m bot.Metrics) *bot.Bot {
	tb.Helper()
	return newCoreOver(tb, m, testEntries)
}

func newCoreOver(tb testing.TB, m bot.Metrics, entries []knowledge.Entry) *bot.Bot {
	tb.Helper()
	ix, err := matcher.New(entries, matcher.Options{})
	if err != nil {
		tb.Fatalf("matcher.New: %v", err)
	}
	cfg := bot.Config{Channels: map[string]bot.Policy{"CAUTO": bot.PolicyAuto}, AutoThreshold: 0.5}
	return bot.New(cfg, ix, testLogger(tb), m)
}

func testLogger(tb testing.TB) *slog.Logger {
	if os.Getenv("SLACK_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// harness is an adapter running against a fake Slack.
type harness struct {
	fake    *slacktest.Server
	adapter *Adapter
	metrics *testMetrics
	http    *httptest.Server // HTTP mode only
	runErr  chan error
	cancel  context.CancelFunc
}

// start runs an adapter in mode against a fresh fake and waits until it is
// ready. Cleanup cancels it, checks Run returned nil, and closes the fake.
func start(tb testing.TB, mode Mode, edit ...func(*Config)) *harness {
	tb.Helper()
	return startOver(tb, mode, testEntries, edit...)
}

// startOver is start with a core answering from entries.
func startOver(tb testing.TB, mode Mode, entries []knowledge.Entry, edit ...func(*Config)) *harness {
	tb.Helper()
	h := &harness{fake: slacktest.NewServer(), metrics: newTestMetrics(), runErr: make(chan error, 1)}
	cfg := Config{
		Mode: mode, BotToken: slacktest.BotToken, AppToken: slacktest.AppToken,
		SigningSecret: slacktest.SigningSecret, APIURL: h.fake.APIURL, Ephemeral: true,
		StartTimeout: waitFor,
	}
	for _, e := range edit {
		e(&cfg)
	}
	a, err := New(cfg, newCoreOver(tb, h.metrics, entries), testLogger(tb))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	h.adapter = a
	if mode == ModeHTTP {
		mux := http.NewServeMux()
		a.Mount(mux)
		h.http = httptest.NewServer(mux)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.runErr <- a.Run(ctx) }()
	tb.Cleanup(h.stop(tb))
	h.waitReady(tb)
	return h
}

func (h *harness) stop(tb testing.TB) func() {
	return func() {
		h.cancel()
		select {
		case err := <-h.runErr:
			if err != nil {
				tb.Errorf("Run returned %v after cancel, want nil", err)
			}
		case <-time.After(waitFor):
			tb.Errorf("Run did not return after cancel")
		}
		if h.http != nil {
			h.http.Close()
		}
		h.fake.Close()
	}
}

func (h *harness) waitReady(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(waitFor)
	for !h.adapter.Ready() {
		select {
		case err := <-h.runErr:
			h.runErr <- err
			tb.Fatalf("Run returned before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("adapter not ready after %s", waitFor)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitHandled waits until n envelopes or requests have been fully handled.
func (h *harness) waitHandled(tb testing.TB, n int64) {
	tb.Helper()
	deadline := time.Now().Add(waitFor)
	for h.adapter.handled.Load() < n {
		if time.Now().After(deadline) {
			tb.Fatalf("handled %d events, want %d", h.adapter.handled.Load(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// next waits for the bot's next call to the fake.
func (h *harness) next(tb testing.TB) slacktest.Call {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, err := h.fake.NextCall(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func (h *harness) ctx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	tb.Cleanup(cancel)
	return ctx
}

// sendEvent sends an inner event over the socket and checks it was acked.
func (h *harness) sendEvent(tb testing.TB, eventID string, inner map[string]any) {
	tb.Helper()
	ctx := h.ctx(tb)
	env, err := h.fake.SendEvent(ctx, slacktest.EventCallback(eventID, inner))
	if err != nil {
		tb.Fatal(err)
	}
	h.expectAck(tb, env)
}

func (h *harness) expectAck(tb testing.TB, env string) {
	tb.Helper()
	got, err := h.fake.NextAck(h.ctx(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if got != env {
		tb.Fatalf("acked %q, want %q", got, env)
	}
}

func mention(channel, ts, text string) map[string]any {
	return map[string]any{"type": "app_mention", "user": "U1", "channel": channel, "ts": ts,
		"event_ts": ts, "text": "<@" + slacktest.BotUserID + "> " + text}
}

func dm(ts, text string) map[string]any {
	return map[string]any{"type": "message", "channel_type": "im", "user": "U1", "channel": "D1",
		"ts": ts, "event_ts": ts, "text": text}
}

// headerText returns the text of the header block, "" without one.
func headerText(blocks []map[string]any) string {
	for _, b := range blocks {
		if b["type"] == "header" {
			t, _ := b["text"].(map[string]any)
			s, _ := t["text"].(string)
			return s
		}
	}
	return ""
}

// actionElements returns the elements of the actions blocks.
func actionElements(blocks []map[string]any) []map[string]any {
	var out []map[string]any
	for _, b := range blocks {
		if b["type"] != "actions" {
			continue
		}
		els, _ := b["elements"].([]any)
		for _, e := range els {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

func hasAction(blocks []map[string]any, actionID string) bool {
	for _, e := range actionElements(blocks) {
		if e["action_id"] == actionID {
			return true
		}
	}
	return false
}

// blockAction builds a block_actions payload for a click on actionID.
func blockAction(responseURL, actionID, value string, ephemeral bool, message map[string]any) map[string]any {
	act := map[string]any{"action_id": actionID, "block_id": blockActions, "type": "button", "value": value,
		"action_ts": "1.1"}
	if actionID == actionOther {
		act["type"] = "static_select"
		act["selected_option"] = map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": "x"}}
		delete(act, "value")
	}
	p := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": slacktest.TeamID},
		"channel": map[string]any{"id": "C1"}, "response_url": responseURL, "trigger_id": "trig",
		"container": map[string]any{"type": "message", "channel_id": "C1", "is_ephemeral": ephemeral, "message_ts": "5.5"},
		"actions":   []any{act},
	}
	if message != nil {
		p["message"] = message
	}
	return p
}

func assertNoPings(tb testing.TB, c slacktest.Call) {
	tb.Helper()
	all := c.Text() + fmt.Sprint(c.Blocks())
	for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<@"} {
		if strings.Contains(all, bad) {
			tb.Errorf("reply contains %q: %s", bad, all)
		}
	}
}

var errTest = errors.New("test error")
