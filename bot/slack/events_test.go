package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/slack/slacktest"
	"github.com/espbot/espbot/knowledge"
)

// message events as Slack sends them.

func messageIn(channelType, channel, ts, text string) map[string]any {
	return map[string]any{"type": "message", "channel_type": channelType, "user": "U1", "channel": channel,
		"ts": ts, "event_ts": ts, "text": text}
}

// edited is the message_changed event of an edit of message ts from before
// to after.
func edited(channelType, channel, ts, before, after string) map[string]any {
	return map[string]any{"type": "message", "subtype": "message_changed", "hidden": true, "channel_type": channelType,
		"channel": channel, "ts": ts + "9", "event_ts": ts + "9",
		"message":          map[string]any{"type": "message", "user": "U1", "text": after, "ts": ts, "edited": map[string]any{"user": "U1", "ts": ts + "9"}},
		"previous_message": map[string]any{"type": "message", "user": "U1", "text": before, "ts": ts},
	}
}

func TestSocket_FileShareAnswered(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	ev := dm("310.000001", testEntries[1].Title)
	ev["subtype"] = "file_share"
	ev["files"] = []any{map[string]any{"id": "F1", "name": "boot.log", "mimetype": "text/plain"}}
	h.sendEvent(t, "Ev1", ev)
	if c := h.next(t); headerText(c.Blocks()) != testEntries[1].Title {
		t.Errorf("a question with a log attached got %s %q, want the answer", c.Method, headerText(c.Blocks()))
	}
}

func TestSocket_GroupDMIsDM(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	h.sendEvent(t, "Ev1", messageIn("mpim", "G1", "320.000001", testEntries[2].Title))
	c := h.next(t)
	if c.Form.Get("channel") != "G1" || c.Form.Get("thread_ts") != "" || headerText(c.Blocks()) != testEntries[2].Title {
		t.Errorf("group DM got %s to %q thread %q, want the answer in the conversation", c.Method, c.Form.Get("channel"), c.Form.Get("thread_ts"))
	}
	// A mention in a group DM may come as app_mention and as message.mpim:
	// one answer.
	text := "<@" + slacktest.BotUserID + "> " + testEntries[0].Title
	h.sendEvent(t, "Ev2", mention("G1", "320.000002", testEntries[0].Title))
	h.sendEvent(t, "Ev3", messageIn("mpim", "G1", "320.000002", text))
	h.waitHandled(t, 3)
	if n := len(h.fake.Calls()); n != 2 {
		t.Errorf("%d replies to a question and a mention delivered twice, want 2", n)
	}
}

func TestSocket_EditedQuestions(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	q := testEntries[0].Title
	at := "<@" + slacktest.BotUserID + "> "

	t.Run("DM fixed after no match", func(t *testing.T) {
		h.sendEvent(t, "Ev-dm", messageIn("im", "D1", "330.000001", offTopic))
		if c := h.next(t); headerText(c.Blocks()) != "" {
			t.Fatalf("off-topic DM answered %q", headerText(c.Blocks()))
		}
		h.sendEvent(t, "Ev-dm-edit", edited("im", "D1", "330.000001", offTopic, q))
		if c := h.next(t); headerText(c.Blocks()) != q || c.Form.Get("channel") != "D1" {
			t.Errorf("edited DM got %q in %q, want the answer", headerText(c.Blocks()), c.Form.Get("channel"))
		}
		h.sendEvent(t, "Ev-dm-edit2", edited("im", "D1", "330.000001", q, testEntries[1].Title))
		h.expectNoCall(t)
	})
	t.Run("edit adds the mention", func(t *testing.T) {
		h.sendEvent(t, "Ev-ch", messageIn("channel", "C1", "331.000001", q))
		h.expectNoCall(t)
		h.sendEvent(t, "Ev-ch-edit", edited("channel", "C1", "331.000001", q, at+q))
		// Slack may also send app_mention for the edit: still one answer.
		again := mention("C1", "331.000001", q)
		again["edited"] = map[string]any{"user": "U1", "ts": "331.0000019"}
		h.sendEvent(t, "Ev-ch-mention", again)
		c := h.next(t)
		if headerText(c.Blocks()) != q || c.Form.Get("thread_ts") != "331.000001" {
			t.Errorf("edit adding the mention got %q thread %q, want the answer in the message's thread", headerText(c.Blocks()), c.Form.Get("thread_ts"))
		}
		h.expectNoCall(t)
	})
	t.Run("answered question edited", func(t *testing.T) {
		h.sendEvent(t, "Ev-ans", mention("C1", "332.000001", q))
		h.next(t)
		h.sendEvent(t, "Ev-ans-edit", edited("channel", "C1", "332.000001", at+q, at+q+" (typo fixed)"))
		h.expectNoCall(t)
	})
}

// expectNoCall checks that everything sent so far was handled without a
// call to the fake.
func (h *harness) expectNoCall(tb testing.TB) {
	tb.Helper()
	h.waitIdle(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if c, err := h.fake.NextCall(ctx); err == nil {
		tb.Errorf("unexpected %s: %q", c.Method, headerText(c.Blocks())+c.Text())
	}
}

// waitIdle waits until every job accepted so far has been handled.
func (h *harness) waitIdle(tb testing.TB) {
	tb.Helper()
	h.waitHandled(tb, h.adapter.accepted.Load())
}

func TestSocket_NoticesToMentionsAreEphemeral(t *testing.T) {
	t.Parallel()
	h := startWith(t, setup{core: func(c *bot.Config) { c.UserCooldown = bot.Cooldown{PerMinute: 1, Burst: 1} }})
	q := testEntries[0].Title
	h.sendEvent(t, "Ev1", mention("C1", "340.000001", q))
	if c := h.next(t); c.Method != "chat.postMessage" {
		t.Fatalf("first question got %s", c.Method)
	}
	h.sendEvent(t, "Ev2", mention("C1", "340.000002", q))
	c := h.next(t)
	if c.Method != "chat.postEphemeral" || c.Form.Get("user") != "U1" || c.Form.Get("thread_ts") != "340.000002" {
		t.Errorf("slow-down notice sent by %s to %q thread %q, want ephemeral to U1 in the thread", c.Method, c.Form.Get("user"), c.Form.Get("thread_ts"))
	}
	if said := c.Text() + sectionText(c.Blocks()); !strings.Contains(said, "again") {
		t.Errorf("slow-down notice says %q", said)
	}
}

func sectionText(blocks []map[string]any) string {
	var out []string
	for _, b := range blocks {
		if b["type"] == "section" {
			out = append(out, textOf(b["text"]))
		}
	}
	return strings.Join(out, "\n")
}

// panicky is a core that panics on questions containing "boom", as a bug
// in the adapter's own code would.
type panicky struct{ *bot.Bot }

func (p panicky) Handle(ctx context.Context, m bot.Message) bot.Reply {
	if strings.Contains(m.Text, "boom") {
		panic("boom")
	}
	return p.Bot.Handle(ctx, m)
}

func TestSocket_PanicsAreRecovered(t *testing.T) {
	t.Parallel()
	h := startWith(t, setup{wrap: func(b *bot.Bot) core { return panicky{b} }})
	h.sendEvent(t, "Ev1", mention("C1", "350.000001", "boom"))
	c := h.next(t)
	if c.Method != "chat.postEphemeral" || c.Form.Get("user") != "U1" || !strings.Contains(c.Text(), "Sorry") {
		t.Errorf("after a panic got %s to %q: %q, want a private apology", c.Method, c.Form.Get("user"), c.Text())
	}
	rurl := h.fake.ResponseURL()
	env, err := h.fake.SendSlash(h.ctx(t), map[string]any{"command": "/faq", "text": "boom", "team_id": slacktest.TeamID,
		"channel_id": "C1", "user_id": "U1", "response_url": rurl, "trigger_id": "trig-boom"})
	if err != nil {
		t.Fatal(err)
	}
	h.expectAck(t, env)
	if c := h.next(t); c.Method != "response_url" || c.JSON["response_type"] != "ephemeral" || !strings.Contains(c.Text(), "Sorry") {
		t.Errorf("after a panic in /faq got %s %v %q, want a private apology", c.Method, c.JSON["response_type"], c.Text())
	}
	h.sendEvent(t, "Ev2", mention("C1", "350.000002", testEntries[0].Title))
	if c := h.next(t); headerText(c.Blocks()) != testEntries[0].Title {
		t.Errorf("after panics the bot answered %s %q", c.Method, headerText(c.Blocks()))
	}
	if n := h.metrics.count(func(m *testMetrics) int { return m.errors["panic"] }); n != 2 {
		t.Errorf("panics counted %d, want 2", n)
	}
}

func TestSocket_TableOnlyAnswer(t *testing.T) {
	t.Parallel()
	h := startWith(t, setup{entries: append(append([]knowledge.Entry(nil), testEntries...), noProse...)})
	for i, e := range noProse[:2] {
		h.sendEvent(t, "Ev"+e.ID, dm("360.00000"+string(rune('1'+i)), e.Title))
		if c := h.next(t); headerText(c.Blocks()) != e.Title || c.Text() == "" {
			t.Errorf("%s: got %q with fallback %q, want the answer", e.ID, headerText(c.Blocks()), c.Text())
		}
	}
}
