package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
)

func scrape(tb testing.TB, m *Metrics) string {
	tb.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		tb.Fatalf("status %d", rec.Code)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestMetrics_Exposition(t *testing.T) {
	t.Parallel()
	m := New()
	m.Question(bot.Discord)
	m.Question(bot.Discord)
	m.Replied(bot.Discord, bot.KindAnswer, 0.9, 3*time.Millisecond)
	m.Replied(bot.Slack, bot.KindHelp, 0, time.Millisecond)
	m.Feedback(bot.Slack, bot.ThumbsUp)
	m.Reconnect(bot.Discord)
	m.Error(bot.Slack, "panic")
	m.Reload(true)
	m.Reload(false)
	m.SetEntries(32)
	m.SetReady(bot.Slack, true)
	out := scrape(t, m)
	for _, want := range []string{
		`espbot_questions_total{platform="discord"} 2`,
		`espbot_replies_total{kind="answer",platform="discord"} 1`,
		`espbot_replies_total{kind="help",platform="slack"} 1`,
		`espbot_reply_confidence_bucket{platform="discord",le="1"} 1`,
		`espbot_reply_confidence_count{platform="discord"} 1`,
		`espbot_reply_latency_seconds_count{platform="slack"} 1`,
		`espbot_feedback_total{kind="up",platform="slack"} 1`,
		`espbot_adapter_reconnects_total{platform="discord"} 1`,
		`espbot_errors_total{platform="slack",where="panic"} 1`,
		`espbot_panics_total{platform="slack"} 1`,
		`espbot_reloads_total{result="ok"} 1`,
		`espbot_reloads_total{result="error"} 1`,
		`espbot_knowledge_entries 32`,
		`espbot_knowledge_loaded_timestamp_seconds 1.`,
		`espbot_adapter_ready{platform="slack"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	if strings.Contains(out, `espbot_reply_confidence_count{platform="slack"}`) {
		t.Errorf("help replies have no confidence to observe")
	}
}

func TestMetrics_Independent(t *testing.T) {
	t.Parallel()
	a, b := New(), New()
	a.Question(bot.HTTP)
	if strings.Contains(scrape(t, b), `espbot_questions_total{platform="http"}`) {
		t.Errorf("two Metrics share state")
	}
}
