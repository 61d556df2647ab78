package bot

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/espbot/espbot/matcher"
)

const offTopic = "what's a good movie to watch tonight"

func TestBot_Handle(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	hosting := entryLike(t, ix, "HTTP hosting")
	lora := entryLike(t, ix, "LoRa")
	first := ix.Entries()[0]
	mention := func(text string) Message {
		return Message{Platform: Discord, Channel: "c1", User: "u1", Text: text, MentionsBot: true}
	}
	dm := func(text string) Message {
		return Message{Platform: Slack, Channel: "D1", User: "u1", Text: text, IsDM: true}
	}
	tests := []struct {
		name  string
		msg   Message
		kind  Kind
		entry string // entry ID for answers
		body  string // substring of the reply's Body text
	}{
		{"mention with a title", mention("<@123> " + hosting.Title), KindAnswer, hosting.ID, ""},
		{"markup and pings stripped", mention("<@!123> **" + lora.Title + "** @everyone"), KindAnswer, lora.ID, ""},
		{"slack mention", dm("<@U0BOT> " + hosting.Title), KindAnswer, hosting.ID, ""},
		{"quoted question and mention", mention("> " + hosting.Title + "\n<@123>"), KindAnswer, hosting.ID, ""},
		{"off-topic DM", dm(offTopic), KindNoMatch, "", "couldn't find"},
		{"off-topic mention", mention("<@1> " + offTopic), KindNoMatch, "", "couldn't find"},
		{"help", mention("<@1> help"), KindHelp, "", "search <words>"},
		{"help with slash", dm("/help"), KindHelp, "", "show <id>"},
		{"help with bang", mention("<@1> !HELP"), KindHelp, "", "list [category]"},
		{"empty mention gets help", mention("<@1>"), KindHelp, "", "Ask me a question"},
		{"list", dm("list"), KindHelp, "", first.Title},
		{"list with category", dm("list " + first.Category), KindHelp, "", first.Title},
		{"list unknown category", dm("list zzzz"), KindNotice, "", "No category"},
		{"show", dm("show " + hosting.ID), KindAnswer, hosting.ID, ""},
		{"show case-insensitive", dm("!show " + strings.ToUpper(hosting.ID)), KindAnswer, hosting.ID, ""},
		{"show unknown", dm("/show no-such-id"), KindNotice, "", "No FAQ entry has that ID"},
		{"show without id", dm("/show"), KindNotice, "", "Usage: show <id>"},
		{"search", dm("search HTTP hosting"), KindHelp, "", hosting.Title},
		{"search nothing", dm("/search zzzzqqq"), KindNotice, "", "No FAQ question"},
		{"a question starting with a command word", dm("show me " + hosting.Title), KindAnswer, hosting.ID, ""},
		{"bot author", Message{Platform: Discord, Channel: "c1", Text: hosting.Title, MentionsBot: true, AuthorIsBot: true}, KindIgnore, "", ""},
		{"own message", Message{Platform: Slack, Channel: "D1", Text: hosting.Title, IsDM: true, AuthorIsSelf: true}, KindIgnore, "", ""},
		{"un-mentioned in a mention channel", Message{Platform: Discord, Channel: "c1", Text: hosting.Title}, KindIgnore, "", ""},
		{"slash command", Message{Platform: Discord, Channel: "c1", Text: hosting.Title, Command: true}, KindAnswer, hosting.ID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newRecordingMetrics()
			b := New(Config{}, ix, nil, m)
			r := b.Handle(context.Background(), tt.msg)
			if r.Kind != tt.kind {
				t.Fatalf("kind = %v, want %v (reply %+v)", r.Kind, tt.kind, r)
			}
			if tt.entry != "" && (r.Entry == nil || r.Entry.ID != tt.entry) {
				t.Errorf("entry = %+v, want %s", r.Entry, tt.entry)
			}
			if got := docText(r.Body); !strings.Contains(got, tt.body) {
				t.Errorf("body %q does not contain %q", got, tt.body)
			}
			if r.Kind != KindIgnore && m.replies[r.Kind] != 1 {
				t.Errorf("Replied not counted: %v", m.replies)
			}
			if r.Kind == KindIgnore && len(m.replies) != 0 {
				t.Errorf("ignored message counted as a reply: %v", m.replies)
			}
			if r.Kind == KindAnswer && r.Entry != nil && r.Confidence <= 0 {
				t.Errorf("answer without confidence")
			}
		})
	}
}

// TestBot_NeverEchoesUserText checks that generated Body text never carries
// what the user typed, whatever the reply.
func TestBot_NeverEchoesUserText(t *testing.T) {
	t.Parallel()
	b := New(Config{}, testIndex(t), nil, nil)
	const evil = "ZQXJ<@&999>@everyone"
	for _, text := range []string{
		evil, "show " + evil, "/show " + evil, "search " + evil, "list " + evil, "/list " + evil, "help " + evil, "/help " + evil,
	} {
		r := b.Handle(context.Background(), Message{Platform: Discord, Channel: "D", User: "u", Text: text, IsDM: true})
		if body := docText(r.Body) + r.Title; strings.Contains(body, "ZQXJ") || strings.Contains(body, "@everyone") {
			t.Errorf("%q: reply echoes user text: %q", text, body)
		}
	}
}

func TestBot_PolicyMatrix(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	title := entryLike(t, ix, "HTTP hosting").Title
	b := New(Config{
		DefaultPolicy:    PolicyMention,
		Channels:         map[string]Policy{"auto": PolicyAuto, "off": PolicyOff, "mention": PolicyMention},
		PlatformChannels: map[Platform]map[string]Policy{Slack: {"auto": PolicyOff}},
		AutoThreshold:    0.01,
	}, ix, nil, nil)
	type how struct{ dm, mention, command, bot bool }
	hows := map[string]how{
		"plain": {}, "mention": {mention: true}, "dm": {dm: true}, "command": {command: true},
		"bot": {mention: true, bot: true},
	}
	// want[channel][how] for a confident question (answer) and an
	// off-topic one (no-match or silence).
	tests := []struct {
		channel  string
		platform Platform
		how      string
		answer   Kind
		offTopic Kind
	}{
		{"mention", Discord, "plain", KindIgnore, KindIgnore},
		{"mention", Discord, "mention", KindAnswer, KindNoMatch},
		{"mention", Discord, "dm", KindAnswer, KindNoMatch},
		{"mention", Discord, "command", KindAnswer, KindNoMatch},
		{"mention", Discord, "bot", KindIgnore, KindIgnore},
		{"unknown", Discord, "plain", KindIgnore, KindIgnore},
		{"unknown", Discord, "mention", KindAnswer, KindNoMatch},
		{"auto", Discord, "plain", KindAnswer, KindIgnore},
		{"auto", Discord, "mention", KindAnswer, KindNoMatch},
		{"auto", Discord, "command", KindAnswer, KindNoMatch},
		{"auto", Discord, "bot", KindIgnore, KindIgnore},
		{"off", Discord, "plain", KindIgnore, KindIgnore},
		{"off", Discord, "mention", KindIgnore, KindIgnore},
		{"off", Discord, "dm", KindAnswer, KindNoMatch},
		{"off", Discord, "command", KindAnswer, KindNoMatch},
		{"auto", Slack, "plain", KindIgnore, KindIgnore}, // per-platform override wins
		{"auto", Slack, "mention", KindIgnore, KindIgnore},
	}
	n := 0
	for _, tt := range tests {
		for _, q := range []struct {
			text string
			want Kind
		}{{title, tt.answer}, {offTopic, tt.offTopic}} {
			n++
			h := hows[tt.how]
			m := Message{
				Platform: tt.platform, Channel: tt.channel, User: fmt.Sprint("u", n), EventID: fmt.Sprint("e", n),
				Text: q.text, IsDM: h.dm, MentionsBot: h.mention, Command: h.command, AuthorIsBot: h.bot,
			}
			if got := b.Handle(context.Background(), m).Kind; got != q.want {
				t.Errorf("%s/%s %s %q: kind %v, want %v", tt.platform, tt.channel, tt.how, q.text, got, q.want)
			}
		}
	}
}

func TestBot_PolicyFor(t *testing.T) {
	t.Parallel()
	b := New(Config{
		DefaultPolicy:    PolicyOff,
		Channels:         map[string]Policy{"a": PolicyAuto},
		PlatformPolicy:   map[Platform]Policy{Slack: PolicyMention},
		PlatformChannels: map[Platform]map[string]Policy{Discord: {"a": PolicyMention, "d": PolicyAuto}},
	}, testIndex(t), nil, nil)
	tests := []struct {
		p    Platform
		ch   string
		want Policy
	}{
		{Discord, "a", PolicyMention},
		{Slack, "a", PolicyAuto},
		{Discord, "d", PolicyAuto},
		{Discord, "x", PolicyOff},
		{Slack, "x", PolicyMention},
	}
	for _, tt := range tests {
		if got := b.PolicyFor(tt.p, tt.ch); got != tt.want {
			t.Errorf("PolicyFor(%s, %s) = %s, want %s", tt.p, tt.ch, got, tt.want)
		}
	}
	if !b.UsesAuto(Discord) || !b.UsesAuto(Slack) || b.UsesAuto(HTTP) != true {
		// "a" is auto on every platform through Channels.
		t.Errorf("UsesAuto: discord %v slack %v http %v", b.UsesAuto(Discord), b.UsesAuto(Slack), b.UsesAuto(HTTP))
	}
	plain := New(Config{}, testIndex(t), nil, nil)
	if plain.UsesAuto(Discord) || plain.PolicyFor(Discord, "x") != PolicyMention {
		t.Errorf("zero config: auto %v, policy %s", plain.UsesAuto(Discord), plain.PolicyFor(Discord, "x"))
	}
}

func TestBot_AutoOncePerThread(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	title := entryLike(t, ix, "HTTP hosting").Title
	b := New(Config{Channels: map[string]Policy{"help": PolicyAuto}, AutoThreshold: 0.01}, ix, nil, nil)
	msg := func(thread, event, text string) Message {
		return Message{Platform: Discord, Channel: "help", Thread: thread, EventID: event, User: "u" + event, Text: text}
	}
	steps := []struct {
		m    Message
		want Kind
	}{
		{msg("t1", "1", offTopic), KindIgnore},
		{msg("t1", "2", title), KindAnswer},
		{msg("t1", "3", title), KindIgnore}, // once per thread
		{msg("t2", "4", title), KindAnswer}, // another thread
		{msg("", "5", title), KindAnswer},   // top-level messages are their own conversation
		{msg("", "6", title), KindAnswer},
		{msg("t1", "7", "!help"), KindIgnore}, // commands need a mention
		{Message{Platform: Discord, Channel: "help", Thread: "t1", EventID: "8", User: "x", Text: title, MentionsBot: true}, KindAnswer},
		{Message{Platform: Discord, Channel: "help", Thread: "t3", EventID: "9", User: "y", Text: "<@1> " + title, MentionsBot: true}, KindAnswer},
		{msg("t3", "10", title), KindIgnore}, // the bot already spoke in t3
	}
	for i, s := range steps {
		if got := b.Handle(context.Background(), s.m).Kind; got != s.want {
			t.Errorf("step %d (%q in %q): kind %v, want %v", i, s.m.Text, s.m.Thread, got, s.want)
		}
	}
	// Below the auto threshold: silence even for a good match.
	strict := New(Config{Channels: map[string]Policy{"help": PolicyAuto}, AutoThreshold: 1.01}, ix, nil, nil)
	if got := strict.Handle(context.Background(), msg("t9", "11", title)).Kind; got != KindIgnore {
		t.Errorf("below the auto threshold: kind %v, want ignore", got)
	}
}

func TestBot_AutoRacingMessagesAnswerOnce(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	title := entryLike(t, ix, "HTTP hosting").Title
	b := New(Config{Channels: map[string]Policy{"help": PolicyAuto}, AutoThreshold: 0.01}, ix, nil, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := 0
	for i := range 20 {
		wg.Go(func() {
			r := b.Handle(context.Background(), Message{Platform: Slack, Channel: "help", Thread: "t", EventID: fmt.Sprint(i), User: fmt.Sprint(i), Text: title})
			if r.Kind == KindAnswer {
				mu.Lock()
				answers++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if answers != 1 {
		t.Errorf("%d answers in one thread, want 1", answers)
	}
}

func TestBot_Cooldown(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	title := entryLike(t, ix, "HTTP hosting").Title
	clock := newFakeClock()
	b := New(Config{
		UserCooldown:    Cooldown{PerMinute: 6, Burst: 2}, // a token every 10 s
		ChannelCooldown: Cooldown{PerMinute: 60, Burst: 2},
		Now:             clock.Now,
	}, ix, nil, nil)
	ask := func(user, channel string) Kind {
		return b.Handle(context.Background(), Message{Platform: Discord, Channel: channel, User: user, Text: title, MentionsBot: true}).Kind
	}
	steps := []struct {
		name          string
		advance       time.Duration
		user, channel string
		want          Kind
	}{
		{"burst 1", 0, "alice", "c", KindAnswer},
		{"burst 2", 0, "alice", "c", KindAnswer},
		{"over the limit: one notice", 0, "alice", "c", KindNotice},
		{"then silence", 0, "alice", "c", KindIgnore},
		{"still silence", 5 * time.Second, "alice", "c", KindIgnore},
		{"another user is fine", 0, "bob", "c", KindAnswer},
		{"a token back after 10 s", 5 * time.Second, "alice", "c", KindAnswer},
		{"limited again: a new notice", 0, "alice", "c", KindNotice},
		{"channel burst spent by bob", 0, "bob", "c", KindAnswer},
		{"channel over the limit", 0, "carol", "c", KindNotice},
		{"channel notice once", 0, "dave", "c", KindIgnore},
		{"other channel fine", 0, "dave", "c2", KindAnswer},
		{"channel refills", 2 * time.Second, "dave", "c", KindAnswer},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		if got := ask(s.user, s.channel); got != s.want {
			t.Fatalf("%s: kind %v, want %v", s.name, got, s.want)
		}
	}
}

func TestBot_CooldownNoticeSaysWhen(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := New(Config{UserCooldown: Cooldown{PerMinute: 1, Burst: 1}, Now: clock.Now}, testIndex(t), nil, nil)
	m := Message{Platform: Slack, Channel: "D", User: "u", Text: "help", IsDM: true, Command: true}
	b.Handle(context.Background(), m)
	r := b.Handle(context.Background(), m)
	if r.Kind != KindNotice || !r.Ephemeral || !strings.Contains(docText(r.Body), "in about 60 seconds") {
		t.Errorf("notice = %+v %q", r, docText(r.Body))
	}
}

func TestBot_Redelivery(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	title := entryLike(t, ix, "HTTP hosting").Title
	clock := newFakeClock()
	m := newRecordingMetrics()
	b := New(Config{Now: clock.Now, DedupTTL: time.Minute}, ix, nil, m)
	msg := Message{Platform: Slack, EventID: "Ev1", Channel: "D", User: "u", Text: title, IsDM: true}
	if got := b.Handle(context.Background(), msg).Kind; got != KindAnswer {
		t.Fatalf("first delivery: %v", got)
	}
	if got := b.Handle(context.Background(), msg).Kind; got != KindIgnore {
		t.Errorf("redelivery: %v, want ignore", got)
	}
	other := msg
	other.Platform = Discord
	if got := b.Handle(context.Background(), other).Kind; got != KindAnswer {
		t.Errorf("same ID on another platform: %v, want answer", got)
	}
	noID := msg
	noID.EventID = ""
	for range 2 {
		if got := b.Handle(context.Background(), noID).Kind; got != KindAnswer {
			t.Errorf("without an event ID: %v, want answer", got)
		}
	}
	if m.questions != 4 {
		t.Errorf("questions = %d, want 4 (the redelivery is not a question)", m.questions)
	}
	clock.Advance(2 * time.Minute)
	if got := b.Handle(context.Background(), msg).Kind; got != KindAnswer {
		t.Errorf("after the TTL: %v, want answer", got)
	}
}

func TestBot_PanicRecovery(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	var logs strings.Builder
	var mu sync.Mutex
	m := newRecordingMetrics()
	m.panicOnQuestion = true
	b := New(Config{Channels: map[string]Policy{"auto": PolicyAuto}}, ix, newTestLogger(&logs, &mu), m)
	secret := "my secret question about " + entryLike(t, ix, "HTTP hosting").Title
	r := b.Handle(context.Background(), Message{Platform: Discord, Channel: "c", User: "u", Text: secret, MentionsBot: true, Command: true})
	if r.Kind != KindNotice || !strings.Contains(docText(r.Body), "Sorry") || !r.Ephemeral {
		t.Errorf("addressed panic: %+v", r)
	}
	r = b.Handle(context.Background(), Message{Platform: Discord, Channel: "auto", User: "u", EventID: "x", Text: secret})
	if r.Kind != KindIgnore {
		t.Errorf("overheard panic: kind %v, want ignore", r.Kind)
	}
	if m.errors["panic"] != 2 {
		t.Errorf("panics counted = %d, want 2", m.errors["panic"])
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if !strings.Contains(out, "panic while handling a message") || !strings.Contains(out, "metrics exploded") {
		t.Errorf("panic not logged: %s", out)
	}
	if strings.Contains(out, "secret question") {
		t.Errorf("log carries the user's text: %s", out)
	}
	// The bot keeps serving.
	m.mu.Lock()
	m.panicOnQuestion = false
	m.mu.Unlock()
	if got := b.Handle(context.Background(), Message{Platform: Discord, Channel: "c", User: "u", Text: "help", MentionsBot: true}).Kind; got != KindHelp {
		t.Errorf("after a panic: %v", got)
	}
}

func TestBot_ShowAndComplete(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	b := New(Config{}, ix, nil, nil)
	hosting := entryLike(t, ix, "HTTP hosting")
	r := b.Show(hosting.ID)
	if r.Kind != KindAnswer || r.Entry.ID != hosting.ID {
		t.Errorf("Show = %+v", r)
	}
	for _, a := range r.Alternatives {
		if a.ID == hosting.ID {
			t.Errorf("Show lists the entry among its own alternatives")
		}
	}
	if r := b.Show("no-such-id"); r.Kind != KindNotice {
		t.Errorf("Show(unknown) = %v", r.Kind)
	}
	got := b.Complete("HTTP hosting", 5)
	if len(got) == 0 || got[0].ID != hosting.ID || len(got) > 5 {
		t.Errorf("Complete = %+v", got)
	}
}

func TestBot_RecordFeedback(t *testing.T) {
	t.Parallel()
	m := newRecordingMetrics()
	b := New(Config{}, testIndex(t), nil, m)
	b.RecordFeedback(context.Background(), Feedback{Platform: Slack, Kind: ThumbsDown})
	if m.feedback[ThumbsDown] != 1 {
		t.Errorf("feedback = %v", m.feedback)
	}
}

func TestBot_CancelledContext(t *testing.T) {
	t.Parallel()
	b := New(Config{}, testIndex(t), nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := b.Handle(ctx, Message{Platform: Slack, IsDM: true, Text: "help"}).Kind; got != KindIgnore {
		t.Errorf("kind %v, want ignore after shutdown", got)
	}
}

// TestBot_SetIndexWhileHandling swaps indexes while questions are answered;
// run with -race.
func TestBot_SetIndexWhileHandling(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	title := entryLike(t, ix, "HTTP hosting").Title
	other, err := matcher.New(ix.Entries(), matcher.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := New(Config{}, ix, nil, nil)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for range 50 {
				r := b.Handle(context.Background(), Message{Platform: HTTP, IsDM: true, User: fmt.Sprint(w), Text: title})
				if r.Kind != KindAnswer {
					t.Errorf("kind %v during reloads", r.Kind)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		if i%2 == 0 {
			b.SetIndex(other)
		} else {
			b.SetIndex(ix)
		}
		runtime.Gosched()
	}
}
