package slack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/slack/slacktest"
)

func TestSocket_AppMentionAnsweredInThread(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	q := testEntries[0].Title
	h.sendEvent(t, "Ev1", mention("C1", "100.000001", q+" <!here> <@U2>"))

	c := h.next(t)
	if c.Method != "chat.postMessage" {
		t.Fatalf("method = %s, want chat.postMessage", c.Method)
	}
	if got := c.Form.Get("channel"); got != "C1" {
		t.Errorf("channel = %q, want C1", got)
	}
	if got := c.Form.Get("thread_ts"); got != "100.000001" {
		t.Errorf("thread_ts = %q, want the mention's ts", got)
	}
	if got := headerText(c.Blocks()); got != q {
		t.Errorf("header = %q, want %q", got, q)
	}
	if c.Text() == "" {
		t.Error("no fallback text")
	}
	for _, id := range []string{actionUp, actionDown} {
		if !hasAction(c.Blocks(), id) {
			t.Errorf("no %s button", id)
		}
	}
	assertNoPings(t, c)
}

func TestSocket_AppMentionInThreadRepliesInThatThread(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	ev := mention("C1", "200.000002", testEntries[1].Title)
	ev["thread_ts"] = "199.000001"
	h.sendEvent(t, "Ev1", ev)
	if got := h.next(t).Form.Get("thread_ts"); got != "199.000001" {
		t.Errorf("thread_ts = %q, want the thread's", got)
	}
}

func TestSocket_DirectMessage(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	h.sendEvent(t, "Ev1", dm("300.000001", testEntries[2].Title))
	c := h.next(t)
	if c.Method != "chat.postMessage" || c.Form.Get("channel") != "D1" {
		t.Fatalf("got %s to %q, want chat.postMessage to D1", c.Method, c.Form.Get("channel"))
	}
	if c.Form.Get("thread_ts") != "" {
		t.Errorf("DM answered in a thread (%q); want the conversation", c.Form.Get("thread_ts"))
	}
	if got := headerText(c.Blocks()); got != testEntries[2].Title {
		t.Errorf("header = %q", got)
	}
}

func TestSocket_IgnoredMessages(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	q := testEntries[0].Title
	cases := map[string]map[string]any{
		"other bot":        {"type": "message", "channel_type": "im", "channel": "D1", "ts": "1.1", "text": q, "bot_id": "B999", "user": "U9"},
		"bot_message":      {"type": "message", "subtype": "bot_message", "channel_type": "im", "channel": "D1", "ts": "1.2", "text": q, "bot_id": "B999"},
		"espbot itself":    {"type": "message", "channel_type": "im", "channel": "D1", "ts": "1.3", "text": q, "user": slacktest.BotUserID, "bot_id": slacktest.BotID},
		"unfurl edit":      {"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D1", "ts": "1.4", "message": map[string]any{"type": "message", "text": q, "user": "U1", "ts": "1.0"}, "previous_message": map[string]any{"type": "message", "text": q, "user": "U1", "ts": "1.0"}},
		"deletion":         {"type": "message", "subtype": "message_deleted", "channel_type": "im", "channel": "D1", "ts": "1.41", "deleted_ts": "1.0"},
		"bot edit":         {"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D1", "ts": "1.42", "message": map[string]any{"type": "message", "text": q, "bot_id": "B999", "ts": "1.01"}},
		"edit, channel":    {"type": "message", "subtype": "message_changed", "channel_type": "channel", "channel": "C1", "ts": "1.43", "message": map[string]any{"type": "message", "text": q + " now", "user": "U1", "ts": "1.02"}, "previous_message": map[string]any{"type": "message", "text": q, "user": "U1", "ts": "1.02"}},
		"join":             {"type": "message", "subtype": "channel_join", "channel_type": "channel", "channel": "CAUTO", "ts": "1.5", "text": "<@U1> has joined the channel", "user": "U1"},
		"bot mention":      {"type": "app_mention", "channel": "C1", "ts": "1.6", "text": "<@" + slacktest.BotUserID + "> " + q, "bot_id": "B999", "user": "U9"},
		"mention channel":  {"type": "message", "channel_type": "channel", "channel": "C1", "ts": "1.7", "text": q, "user": "U1"},
		"mention-only msg": {"type": "message", "channel_type": "channel", "channel": "CAUTO", "ts": "1.8", "text": "<@" + slacktest.BotUserID + "> " + q, "user": "U1"},
	}
	n := int64(0)
	for name, ev := range cases {
		h.sendEvent(t, "Ev-"+name, ev)
		n++
	}
	h.waitHandled(t, n)
	if calls := h.fake.Calls(); len(calls) != 0 {
		t.Errorf("bot replied %d times to messages it must ignore: %+v", len(calls), calls)
	}
}

func TestSocket_DuplicateEnvelopeHandledOnce(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	ev := mention("C1", "400.000001", testEntries[0].Title)
	h.sendEvent(t, "EvDup", ev) // Slack resends the same event in a new envelope
	h.sendEvent(t, "EvDup", ev)
	h.waitHandled(t, 2)
	if n := len(h.fake.Calls()); n != 1 {
		t.Errorf("%d replies to one event delivered twice, want 1", n)
	}
}

func TestSocket_AutoChannel(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	msg := func(ts, text string) map[string]any {
		return map[string]any{"type": "message", "channel_type": "channel", "channel": "CAUTO", "user": "U1", "ts": ts, "text": text}
	}
	h.sendEvent(t, "Ev1", msg("500.000001", offTopic)) // silence, not "no match"
	h.waitHandled(t, 1)
	h.sendEvent(t, "Ev2", msg("500.000002", testEntries[1].Title))
	c := h.next(t)
	if c.Form.Get("channel") != "CAUTO" || c.Form.Get("thread_ts") != "500.000002" {
		t.Errorf("auto answer to %q thread %q, want CAUTO thread 500.000002", c.Form.Get("channel"), c.Form.Get("thread_ts"))
	}
	h.waitHandled(t, 2)
	if n := len(h.fake.Calls()); n != 1 {
		t.Errorf("%d replies in the auto channel, want 1 (off-topic is silent)", n)
	}
	// Once per thread: a follow-up in the answered thread gets no reply.
	follow := msg("500.000009", testEntries[0].Title)
	follow["thread_ts"] = "500.000002"
	h.sendEvent(t, "Ev2b", follow)
	h.waitHandled(t, 3)
	if n := len(h.fake.Calls()); n != 1 {
		t.Errorf("%d replies after a follow-up in an answered thread, want 1", n)
	}
	// Un-mentioned questions in a mention-only channel are not answered.
	h.sendEvent(t, "Ev3", map[string]any{"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1", "ts": "500.3", "text": testEntries[1].Title})
	h.waitHandled(t, 4)
	if n := len(h.fake.Calls()); n != 1 {
		t.Errorf("answered in a mention-only channel without a mention")
	}
}

func TestSocket_SlashCommandEphemeralThenShare(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	ctx := h.ctx(t)
	rurl := h.fake.ResponseURL()
	q := testEntries[0].Title
	env, err := h.fake.SendSlash(ctx, map[string]any{"command": "/faq", "text": q, "team_id": slacktest.TeamID,
		"channel_id": "C1", "user_id": "U1", "response_url": rurl, "trigger_id": "trig1"})
	if err != nil {
		t.Fatal(err)
	}
	h.expectAck(t, env)
	c := h.next(t)
	if c.Method != "response_url" || c.JSON["response_type"] != "ephemeral" {
		t.Fatalf("got %s %v, want an ephemeral response_url post", c.Method, c.JSON["response_type"])
	}
	if headerText(c.Blocks()) != q || !hasAction(c.Blocks(), actionShare) {
		t.Fatalf("slash answer lacks header or Share button: %v", c.Blocks())
	}
	if hasAction(c.Blocks(), actionDismiss) {
		t.Error("an ephemeral answer has a Dismiss button (Slack lets users dismiss those)")
	}

	shared := h.interact(t, h.click(t, c, actionShare, "U1", ""))
	deleted := h.next(t)
	if shared.JSON["response_type"] != "in_channel" || headerText(shared.Blocks()) != q {
		t.Errorf("share posted %v %q, want the answer in_channel", shared.JSON["response_type"], headerText(shared.Blocks()))
	}
	if hasAction(shared.Blocks(), actionShare) || !hasAction(shared.Blocks(), actionDismiss) {
		t.Error("the shared answer should have Dismiss and no Share button")
	}
	ctxText := contextText(shared.Blocks())
	if !strings.Contains(ctxText, "Shared by *name-U1*") || !strings.Contains(ctxText, q) || strings.Contains(ctxText, "confidence") {
		t.Errorf("shared answer context %q, want who shared it and for which question, no confidence", ctxText)
	}
	assertNoPings(t, shared)
	if deleted.JSON["delete_original"] != true {
		t.Errorf("second call %v, want delete_original of the ephemeral answer", deleted.JSON)
	}
}

// contextText returns the text of the context blocks.
func contextText(blocks []map[string]any) string {
	var out []string
	for _, b := range blocks {
		if b["type"] != "context" {
			continue
		}
		els, _ := b["elements"].([]any)
		for _, e := range els {
			out = append(out, textOf(e))
		}
	}
	return strings.Join(out, " ")
}

func TestSocket_ThumbsOneVotePerUser(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	h.sendEvent(t, "Ev1", mention("C1", "150.000001", testEntries[0].Title))
	answer := h.next(t)
	for _, tc := range []struct{ action, want string }{
		{actionUp, ":+1: helpful"}, {actionDown, ":-1: not helpful"},
	} {
		c := h.interact(t, h.click(t, answer, tc.action, "U2", ""))
		if c.Method != "response_url" || c.JSON["response_type"] != "ephemeral" || !strings.Contains(c.Text(), tc.want) {
			t.Errorf("%s: got %s %v %q, want a private note of the vote (%s)", tc.action, c.Method, c.JSON["response_type"], c.Text(), tc.want)
		}
	}
	h.waitHandled(t, 3)
	fb := h.recorder.all()
	if len(fb) != 2 {
		t.Fatalf("%d feedback records, want 2", len(fb))
	}
	for _, f := range fb {
		if f.Answer != answer.TS || f.User != "U2" || f.EntryID != testEntries[0].ID {
			t.Errorf("feedback %+v, want answer %s by U2 on %s", f.Feedback, answer.TS, testEntries[0].ID)
		}
	}
	if fb[0].Kind != bot.ThumbsUp || fb[1].Kind != bot.ThumbsDown {
		t.Errorf("feedback kinds %v then %v, want up then down (the second replaces the first in the store)", fb[0].Kind, fb[1].Kind)
	}
}

func optionValues(blocks []map[string]any) []string {
	var out []string
	for _, e := range actionElements(blocks) {
		opts, _ := e["options"].([]any)
		for _, o := range opts {
			if m, ok := o.(map[string]any); ok {
				s, _ := m["value"].(string)
				out = append(out, s)
			}
		}
	}
	return out
}

func TestSocket_NoMatchSuggestions(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	h.sendEvent(t, "Ev1", dm("600.000001", offTopic+" <!channel>"))
	c := h.next(t)
	if headerText(c.Blocks()) != "" {
		t.Fatalf("off-topic question got an answer %q", headerText(c.Blocks()))
	}
	if c.Text() == "" || len(c.Blocks()) == 0 {
		t.Fatal("no-match reply is empty")
	}
	if n := len(actionElements(c.Blocks())); n > maxSuggestions+1 {
		t.Errorf("%d buttons, want at most %d suggestions and Dismiss", n, maxSuggestions)
	}
	assertNoPings(t, c)
}

func TestSocket_ReconnectAfterDropAndDisconnect(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	ctx := h.ctx(t)
	if err := h.fake.WaitConnection(ctx); err != nil { // the first one
		t.Fatal(err)
	}
	for i, cut := range []func() error{
		func() error { return h.fake.Drop(ctx) },
		func() error { return h.fake.Disconnect(ctx) },
	} {
		if err := cut(); err != nil {
			t.Fatal(err)
		}
		if err := h.fake.WaitConnection(ctx); err != nil {
			t.Fatalf("no reconnection after cut %d: %v", i, err)
		}
		h.waitReady(t)
		h.sendEvent(t, "Ev-after-"+string(rune('a'+i)), mention("C1", "700.00000"+string(rune('1'+i)), testEntries[0].Title))
		if c := h.next(t); c.Method != "chat.postMessage" {
			t.Fatalf("after cut %d got %s", i, c.Method)
		}
	}
	if n := h.metrics.count(func(m *testMetrics) int { return m.reconnects }); n < 2 {
		t.Errorf("reconnects counted = %d, want at least 2", n)
	}
}

// TestSocket_RateLimitedThenSuccess is the one test that costs a second:
// the fake's Retry-After.
func TestSocket_RateLimitedThenSuccess(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	h.fake.RateLimit("chat.postMessage", 1, 1)
	h.sendEvent(t, "Ev1", mention("C1", "800.000001", testEntries[0].Title))
	c := h.next(t)
	if c.Method != "chat.postMessage" || headerText(c.Blocks()) != testEntries[0].Title {
		t.Fatalf("got %s %q after a 429, want the answer", c.Method, headerText(c.Blocks()))
	}
	h.waitHandled(t, 1)
	if n := h.metrics.count(func(m *testMetrics) int { return len(m.errors) }); n != 0 {
		t.Errorf("errors counted after a retried 429: %v", h.metrics.errors)
	}
}

func TestSocket_ServerErrorKeepsBotUp(t *testing.T) {
	t.Parallel()
	h := startWith(t, setup{tune: fastRetries})
	h.fake.Inject("chat.postMessage", 1+DefaultRetries, slacktest.Fault{Status: http.StatusInternalServerError})
	h.sendEvent(t, "Ev1", mention("C1", "900.000001", testEntries[0].Title))
	h.waitHandled(t, 1)
	if n := h.metrics.count(func(m *testMetrics) int { return m.errors["post"] }); n != 1 {
		t.Errorf("post errors = %d, want 1", n)
	}
	h.sendEvent(t, "Ev2", mention("C1", "900.000002", testEntries[0].Title))
	h.waitHandled(t, 2)
	if c := lastCall(h.fake.Calls()); c.Method != "chat.postMessage" || c.Error != "" || headerText(c.Blocks()) != testEntries[0].Title {
		t.Errorf("after failed posts got %s %q, want an answer", c.Method, c.Error)
	}
}

// fastRetries shortens the waits between retries of postOnce.
func fastRetries(a *Adapter) { a.retryWait = 5 * time.Millisecond }

func lastCall(calls []slacktest.Call) slacktest.Call {
	if len(calls) == 0 {
		return slacktest.Call{}
	}
	return calls[len(calls)-1]
}

func TestSocket_EnvelopesSlackGoCannotParseAreAcked(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	ctx := h.ctx(t)
	frames := map[string]map[string]any{
		"new event type": {"type": "events_api", "envelope_id": "bad-1", "accepts_response_payload": false,
			"payload": slacktest.EventCallback("EvNew", map[string]any{"type": "brand_new_event", "ts": "1.1"})},
		"payload not an object": {"type": "interactive", "envelope_id": "bad-2", "payload": "surprise"},
		"new envelope type":     {"type": "brand_new_envelope", "envelope_id": "bad-3", "payload": map[string]any{}},
	}
	want := map[string]bool{}
	for _, f := range frames {
		if err := h.fake.Send(ctx, f); err != nil {
			t.Fatal(err)
		}
		want[f["envelope_id"].(string)] = true
	}
	for range frames {
		ack, err := h.fake.NextAck(ctx)
		if err != nil {
			t.Fatalf("not every envelope was acked (%v left): %v", want, err)
		}
		delete(want, ack.EnvelopeID)
	}
	if len(want) > 0 {
		t.Errorf("envelopes never acked: %v", want)
	}
	// Still serving.
	h.sendEvent(t, "Ev1", mention("C1", "950.000001", testEntries[0].Title))
	if c := h.next(t); headerText(c.Blocks()) != testEntries[0].Title {
		t.Errorf("after unknown envelopes got %s", c.Method)
	}
}

// TestSocket_ReadyThroughRefresh: Slack's periodic "disconnect" (and a
// dropped socket that reconnects at once) does not make the adapter
// unready; a connection that stays lost does, after the grace period.
func TestSocket_ReadyThroughRefresh(t *testing.T) {
	t.Parallel()
	h := startWith(t, setup{tune: func(a *Adapter) { a.refreshGrace = 300 * time.Millisecond }})
	ctx := h.ctx(t)
	if err := h.fake.WaitConnection(ctx); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	unready := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if !h.adapter.Ready() {
				select {
				case unready <- struct{}{}:
				default:
				}
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	for _, cut := range []func(context.Context) error{h.fake.Disconnect, h.fake.Drop} {
		if err := cut(ctx); err != nil {
			t.Fatal(err)
		}
		if err := h.fake.WaitConnection(ctx); err != nil {
			t.Fatal(err)
		}
		h.waitConnected(t)
	}
	close(stop)
	select {
	case <-unready:
		t.Error("not ready during a reconnect")
	default:
	}

	// Slack unreachable: unready once the grace period is over.
	h.fake.Fail("apps.connections.open", 1000)
	if err := h.fake.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitFor)
	for h.adapter.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("still ready long after the connection was lost")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitConnected waits until the adapter has a connection (not only the
// grace of a lost one).
func (h *harness) waitConnected(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(waitFor)
	for !h.adapter.ready.Load() {
		if time.Now().After(deadline) {
			tb.Fatal("no connection")
		}
		time.Sleep(time.Millisecond)
	}
}
