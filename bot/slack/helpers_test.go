package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
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

// testRecorder keeps the feedback the core records.
type testRecorder struct {
	mu       sync.Mutex
	feedback []bot.FeedbackRecord
}

func (r *testRecorder) RecordQuestion(bot.QuestionRecord) {}

func (r *testRecorder) RecordFeedback(f bot.FeedbackRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.feedback = append(r.feedback, f)
}

func (r *testRecorder) all() []bot.FeedbackRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.FeedbackRecord(nil), r.feedback...)
}

// newCore builds the real core over testEntries, with CAUTO an auto channel.
func newCore(tb testing.TB, m bot.Metrics) *bot.Bot {
	tb.Helper()
	return newCoreOver(tb, m, testEntries, nil)
}

func newCoreOver(tb testing.TB, m bot.Metrics, entries []knowledge.Entry, rec bot.Recorder, edit ...func(*bot.Config)) *bot.Bot {
	tb.Helper()
	ix, err := matcher.New(entries, matcher.Options{})
	if err != nil {
		tb.Fatalf("matcher.New: %v", err)
	}
	cfg := bot.Config{Channels: map[string]bot.Policy{"CAUTO": bot.PolicyAuto}, AutoThreshold: 0.5, Recorder: rec}
	for _, e := range edit {
		e(&cfg)
	}
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
	fake     *slacktest.Server
	adapter  *Adapter
	metrics  *testMetrics
	recorder *testRecorder
	http     *httptest.Server // HTTP mode only
	runErr   chan error
	cancel   context.CancelFunc
	// rejectedOK lets a test have the fake reject what the bot sent; by
	// default the cleanup fails the test on any rejected call.
	rejectedOK bool
	// ownFake is false when the fake is shared with other harnesses (other
	// instances): its creator closes it.
	ownFake bool
	stopped sync.Once
}

// setup says how to start a harness; the zero value is Socket Mode over
// testEntries.
type setup struct {
	mode    Mode
	entries []knowledge.Entry
	edit    func(*Config)
	// core edits the core's configuration.
	core func(*bot.Config)
	// wrap replaces the core the adapter talks to (the real one wrapped).
	wrap func(*bot.Bot) core
	log  *slog.Logger
	// tune changes the adapter's tunables before Run.
	tune func(*Adapter)
	// fake is another harness's fake Slack, for a second instance of the
	// bot on one workspace (nil: a fake of its own).
	fake *slacktest.Server
}

// start runs an adapter in mode against a fresh fake and waits until it is
// ready. Cleanup cancels it, checks Run returned nil, and closes the fake.
func start(tb testing.TB, mode Mode, edit ...func(*Config)) *harness {
	tb.Helper()
	s := setup{mode: mode}
	if len(edit) > 0 {
		s.edit = edit[0]
	}
	return startWith(tb, s)
}

// startOver is start with a core answering from entries.
func startOver(tb testing.TB, mode Mode, entries []knowledge.Entry) *harness {
	tb.Helper()
	return startWith(tb, setup{mode: mode, entries: entries})
}

func startWith(tb testing.TB, s setup) *harness {
	tb.Helper()
	h := &harness{fake: s.fake, metrics: newTestMetrics(), recorder: &testRecorder{}, runErr: make(chan error, 1)}
	if h.fake == nil {
		h.fake, h.ownFake = slacktest.NewServer(), true
	}
	cfg := Config{
		Mode: Mode(firstNonEmpty(string(s.mode), string(ModeSocket))), BotToken: slacktest.BotToken, AppToken: slacktest.AppToken,
		SigningSecret: slacktest.SigningSecret, APIURL: h.fake.APIURL, Ephemeral: true,
		StartTimeout: waitFor,
	}
	if s.edit != nil {
		s.edit(&cfg)
	}
	if s.entries == nil {
		s.entries = testEntries
	}
	if s.log == nil {
		s.log = testLogger(tb)
	}
	var coreEdits []func(*bot.Config)
	if s.core != nil {
		coreEdits = append(coreEdits, s.core)
	}
	b := newCoreOver(tb, h.metrics, s.entries, h.recorder, coreEdits...)
	a, err := New(cfg, b, s.log)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	if s.wrap != nil {
		a.bot = s.wrap(b)
	}
	if s.tune != nil {
		s.tune(a)
	}
	h.adapter = a
	if cfg.Mode == ModeHTTP {
		mux := http.NewServeMux()
		a.Mount(mux)
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
		h.http = httptest.NewServer(mux)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.runErr <- a.Run(ctx) }()
	tb.Cleanup(h.stop(tb))
	h.waitReady(tb)
	return h
}

// stop returns the harness's shutdown: cancel Run, wait for it, close the
// servers. Tests may call it early (a restart); it runs once.
func (h *harness) stop(tb testing.TB) func() {
	return func() { h.stopped.Do(func() { h.shutdown(tb) }) }
}

func (h *harness) shutdown(tb testing.TB) {
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
	if !h.ownFake {
		return
	}
	h.fake.Close()
	if rej := h.fake.Rejected(); len(rej) > 0 && !h.rejectedOK {
		for _, c := range rej {
			tb.Errorf("the fake Slack rejected %s: %s", c.Method, c.Error)
		}
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

func (h *harness) expectAck(tb testing.TB, env string) slacktest.Ack {
	tb.Helper()
	got, err := h.fake.NextAck(h.ctx(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if got.EnvelopeID != env {
		tb.Fatalf("acked %q, want %q", got.EnvelopeID, env)
	}
	return got
}

func mention(channel, ts, text string) map[string]any {
	return map[string]any{"type": "app_mention", "user": "U1", "channel": channel, "ts": ts,
		"event_ts": ts, "text": "<@" + slacktest.BotUserID + "> " + text}
}

func dm(ts, text string) map[string]any {
	return map[string]any{"type": "message", "channel_type": "im", "user": "U1", "channel": "D1",
		"ts": ts, "event_ts": ts, "text": text}
}

// headerText returns an answer's title as plain text: its header block's,
// or the text of its title linked to the published FAQ (a first section
// "*<url|title>*"); "" without either.
func headerText(blocks []map[string]any) string {
	for i, b := range blocks {
		t, _ := b["text"].(map[string]any)
		s, _ := t["text"].(string)
		if b["type"] == "header" {
			return s
		}
		if i == 0 && b["type"] == "section" {
			if m := linkedTitle.FindStringSubmatch(s); m != nil {
				return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(m[1])
			}
		}
	}
	return ""
}

var linkedTitle = regexp.MustCompile(`^\*<https?://[^|>]+\|([^>]*)>\*$`)

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

// click builds the payload of user clicking actionID on the message the
// bot sent in call c (picking option, for a menu).
func (h *harness) click(tb testing.TB, c slacktest.Call, actionID, user, option string) map[string]any {
	tb.Helper()
	ephemeral := c.Method == "chat.postEphemeral" || c.JSON["response_type"] == "ephemeral"
	channel := firstNonEmpty(c.Form.Get("channel"), "C1")
	p, err := slacktest.BlockAction(c.Blocks(), actionID, slacktest.Click{User: user, UserName: "name-" + user,
		Channel: channel, MessageTS: firstNonEmpty(c.TS, "5.5"), Ephemeral: ephemeral,
		ResponseURL: h.fake.ResponseURL(), Option: option})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// interact sends an interactive payload over the socket, checks the ack
// and returns the bot's next call.
func (h *harness) interact(tb testing.TB, payload map[string]any) slacktest.Call {
	tb.Helper()
	env, err := h.fake.SendInteractive(h.ctx(tb), payload)
	if err != nil {
		tb.Fatal(err)
	}
	h.expectAck(tb, env)
	return h.next(tb)
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
