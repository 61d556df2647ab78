package slack

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/slack/slacktest"
	"github.com/espbot/espbot/botstore"
	"github.com/espbot/espbot/store"
)

// instance is one bot process behind a load balancer: an adapter in HTTP
// mode whose core keeps its state in the SQLite file at path, as serve
// does (notes queued on the recorder's writer).
type instance struct {
	*harness
	rec *botstore.Recorder
}

func startInstance(tb testing.TB, fake *slacktest.Server, path string) instance {
	tb.Helper()
	st, err := store.Open(context.Background(), store.Options{Driver: store.SQLite, Path: path})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	rec := botstore.NewRecorder(st, botstore.RecorderOptions{RecordText: true})
	tb.Cleanup(func() { rec.Close(context.Background()) })
	h := startWith(tb, setup{mode: ModeHTTP, fake: fake, core: func(c *bot.Config) {
		c.State, c.Recorder = botstore.NewState(st, rec, 0), rec
	}})
	return instance{harness: h, rec: rec}
}

// restart stops the instance as serve stops: the adapter, then the
// recorder, which writes what it queued.
func (in instance) restart(tb testing.TB, path string) instance {
	tb.Helper()
	in.stop(tb)()
	if err := in.rec.Close(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return startInstance(tb, in.fake, path)
}

// deliver posts an event callback to an adapter in HTTP mode, which must
// acknowledge it; retry is Slack's X-Slack-Retry-Num ("" for the first
// delivery).
func (h *harness) deliver(tb testing.TB, eventID string, inner map[string]any, retry string) {
	tb.Helper()
	body := mustJSON(tb, slacktest.EventCallback(eventID, inner))
	code, _ := h.post(tb, "/slack/events", jsonType, body, time.Now(), func(r *http.Request) {
		if retry != "" {
			r.Header.Set("X-Slack-Retry-Num", retry)
			r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		}
	})
	if code != http.StatusOK {
		tb.Fatalf("%s: status %d", eventID, code)
	}
}

// TestHTTP_InstancesShareState: two instances on one database (and one
// of them restarted) handle each Slack message once, however it is
// delivered, and re-answer an edit once: the adapter keeps no event IDs
// or answered messages of its own, the core's state does.
func TestHTTP_InstancesShareState(t *testing.T) {
	t.Parallel()
	fake := slacktest.NewServer()
	t.Cleanup(func() {
		fake.Close()
		for _, c := range fake.Rejected() {
			t.Errorf("the fake Slack rejected %s: %s", c.Method, c.Error)
		}
	})
	path := filepath.Join(t.TempDir(), "espbot.db")
	one, two := startInstance(t, fake, path), startInstance(t, fake, path)
	idle := func() {
		t.Helper()
		one.waitIdle(t)
		two.expectNoCall(t)
	}
	q, at := testEntries[0].Title, "<@"+slacktest.BotUserID+"> "

	one.deliver(t, "Ev1", mention("C1", "500.000001", q), "")
	if c := one.next(t); headerText(c.Blocks()) != q || c.Form.Get("thread_ts") != "500.000001" {
		t.Fatalf("a mention got %s %q, want the answer in its thread", c.Method, headerText(c.Blocks()))
	}
	two.deliver(t, "Ev1", mention("C1", "500.000001", q), "1")
	idle() // Slack's retry reached the other instance: no second answer

	// In a group DM one mention comes as app_mention and as message.mpim,
	// with two event IDs: one message, one answer.
	one.deliver(t, "Ev2", mention("G1", "500.000002", testEntries[1].Title), "")
	two.deliver(t, "Ev3", messageIn("mpim", "G1", "500.000002", at+testEntries[1].Title), "")
	if c := one.next(t); headerText(c.Blocks()) != testEntries[1].Title {
		t.Fatalf("a group DM mention got %s %q, want the answer", c.Method, headerText(c.Blocks()))
	}
	idle()

	// After a restart, the restarted instance knows the question it had
	// answered: fixing a typo in it is not answered again.
	one = one.restart(t, path)
	one.deliver(t, "Ev4", edited("channel", "C1", "500.000001", at+q, at+q+" (typo fixed)"), "")
	idle()

	// A DM the bot could not answer, fixed by an edit: answered once,
	// though the edit is redelivered to the other instance.
	two.deliver(t, "Ev5", messageIn("im", "D1", "500.000003", offTopic), "")
	if c := one.next(t); headerText(c.Blocks()) != "" {
		t.Fatalf("an off-topic DM was answered %q", headerText(c.Blocks()))
	}
	one.deliver(t, "Ev6", edited("im", "D1", "500.000003", offTopic, q), "")
	if c := one.next(t); headerText(c.Blocks()) != q {
		t.Fatalf("the fixed DM got %s %q, want the answer", c.Method, headerText(c.Blocks()))
	}
	two.deliver(t, "Ev6", edited("im", "D1", "500.000003", offTopic, q), "1")
	idle()
}
