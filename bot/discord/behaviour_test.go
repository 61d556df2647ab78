package discord

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/discord/discordtest"
	"github.com/espbot/espbot/botstore"
	"github.com/espbot/espbot/store"
)

// Behaviour in a help channel: replies, conversations, message commands,
// sharing, edits and deletions, feedback and moderators.

// gatedCore holds Handle, for the messages block selects, until the test
// opens the gate; entered hears of each held message.
type gatedCore struct {
	core
	block   func(bot.Message) bool
	entered chan struct{}
	gate    chan struct{}
}

func newGatedCore(block func(bot.Message) bool) *gatedCore {
	return &gatedCore{block: block, entered: make(chan struct{}, 1000), gate: make(chan struct{})}
}

func (g *gatedCore) Handle(ctx context.Context, m bot.Message) bot.Reply {
	if g.block(m) {
		g.entered <- struct{}{}
		select {
		case <-g.gate:
		case <-ctx.Done():
		}
	}
	return g.core.Handle(ctx, m)
}

func (g *gatedCore) wrap(c core) core {
	g.core = c
	return g
}

// panicCore panics in Handle, as a bug in the core would.
type panicCore struct{ core }

func (panicCore) Handle(context.Context, bot.Message) bot.Reply { panic("boom") }

// feedbackLog is a bot.Recorder keeping feedback.
type feedbackLog struct {
	mu        sync.Mutex
	fb        []bot.Feedback
	questions []bot.QuestionRecord
}

func (l *feedbackLog) RecordQuestion(q bot.QuestionRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.questions = append(l.questions, q)
}

func (l *feedbackLog) recorded() []bot.QuestionRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bot.QuestionRecord(nil), l.questions...)
}

func (l *feedbackLog) RecordFeedback(f bot.FeedbackRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fb = append(l.fb, f.Feedback)
}
func (l *feedbackLog) all() []bot.Feedback {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bot.Feedback(nil), l.fb...)
}

// testPolicies are the harness's default channel policies.
func testPolicies() bot.Config {
	return bot.Config{PlatformChannels: map[bot.Platform]map[string]bot.Policy{bot.Discord: {
		autoChan: bot.PolicyAuto, offChan: bot.PolicyOff, forumChan: bot.PolicyAuto,
	}}}
}

// TestAdapter_ReplyToAnswer: "thanks" in reply to an answer gets no "no
// answer"; a real follow-up question in reply is answered.
func TestAdapter_ReplyToAnswer(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	h.srv.SendMessage(mention(h, mentionChan, entry(t, 0).Title))
	answer := h.srv.Await(t, "answer", discordtest.IsMessageTo(mentionChan)).MessageID
	for _, noPing := range []bool{false, true} {
		h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: alice, Content: "thanks, that fixed it!", ReplyTo: answer, NoReplyPing: noPing})
	}
	h.awaitHandled(t, 3)
	if n := h.srv.Count(discordtest.IsMessageTo(mentionChan)); n != 1 {
		t.Fatalf("%d messages, want no reply to a thank-you", n)
	}
	e := entry(t, 5)
	from := h.srv.Len()
	id, _ := h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: alice, Content: e.Title, ReplyTo: answer, NoReplyPing: true})
	s := decodeSent(t, h.srv.AwaitFrom(t, from, "answer to the follow-up", discordtest.IsMessageTo(mentionChan)))
	if s.title() != titled(e.Title) || s.Reference == nil || s.Reference.MessageID != id {
		t.Errorf("follow-up answered with %q reference %+v", s.title(), s.Reference)
	}
}

// TestAdapter_MentionAsReply: "@espbot" in reply to someone's question
// answers that question, as a reply to it.
func TestAdapter_MentionAsReply(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 2)
	q, _ := h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: bob, Content: e.Title})
	h.awaitHandled(t, 1)
	h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: alice, Content: h.srv.Mention(),
		Mentions: []discordtest.User{h.srv.BotUser()}, ReplyTo: q})
	s := decodeSent(t, h.srv.Await(t, "answer to the referenced question", discordtest.IsMessageTo(mentionChan)))
	if s.title() != titled(e.Title) || s.Reference == nil || s.Reference.MessageID != q {
		t.Errorf("answered %q with reference %+v, want %q replying to %s", s.title(), s.Reference, e.Title, q)
	}
	assertNoPings(t, s)
}

// TestAdapter_AutoDoesNotCutIn: in an auto channel, replies to other
// people and messages mentioning other users are theirs.
func TestAdapter_AutoDoesNotCutIn(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	other, _ := h.srv.SendMessage(discordtest.Message{ChannelID: autoChan, GuildID: guildID, Author: bob, Content: offTopic})
	h.srv.SendMessage(discordtest.Message{ChannelID: autoChan, GuildID: guildID, Author: alice, Content: entry(t, 3).Title, ReplyTo: other})
	h.srv.SendMessage(discordtest.Message{ChannelID: autoChan, GuildID: guildID, Author: alice, Content: "<@43> " + entry(t, 4).Title, Mentions: []discordtest.User{bob}})
	h.awaitHandled(t, 3)
	if n := h.srv.Count(discordtest.IsMessageTo(autoChan)); n != 0 {
		t.Fatalf("%d auto answers cutting into a conversation", n)
	}
	e := entry(t, 6)
	h.srv.SendMessage(discordtest.Message{ChannelID: autoChan, GuildID: guildID, Author: alice, Content: e.Title})
	if s := decodeSent(t, h.srv.Await(t, "auto answer", discordtest.IsMessageTo(autoChan))); s.title() != titled(e.Title) {
		t.Errorf("auto answer %q", s.title())
	}
}

// TestAdapter_MessageCommand: Apps > Ask espbot answers the target message
// privately, with "Share in channel", which posts it for everyone.
func TestAdapter_MessageCommand(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	h.awaitReady(t)
	e := entry(t, 7)
	q, _ := h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: bob, Content: e.Title})
	h.awaitHandled(t, 1)
	iid := h.srv.MessageCommand(guildID, mentionChan, alice, "Ask espbot", q)
	r := h.srv.Await(t, "private answer", discordtest.IsCallback(iid))
	c := decodeCallback(t, r)
	share := "faq:share:" + q + ":" + e.ID
	if c.Type != 4 || c.Data == nil || c.Data.Flags&64 == 0 || c.Data.title() != titled(e.Title) || !slices.Contains(c.Data.customIDs(t), share) {
		t.Fatalf("want a private answer %q with %s, got type %d %+v", e.Title, share, c.Type, c.Data)
	}
	iid = h.srv.Click(guildID, mentionChan, alice, h.srv.Message(t, r.MessageID), share)
	c = decodeCallback(t, h.srv.Await(t, "shared answer", discordtest.IsCallback(iid)))
	if c.Type != 4 || c.Data == nil || c.Data.Flags&64 != 0 || c.Data.title() != titled(e.Title) {
		t.Fatalf("want a public answer, got type %d %+v", c.Type, c.Data)
	}
	if want := "https://discord.com/channels/" + guildID + "/" + mentionChan + "/" + q; !strings.Contains(c.Data.Content, want) {
		t.Errorf("shared answer %q does not link the question %s", c.Data.Content, want)
	}
	if !slices.Contains(c.Data.customIDs(t), "faq:dismiss:"+alice.ID) {
		t.Errorf("the sharer cannot dismiss the shared answer: %v", c.Data.customIDs(t))
	}
	assertNoPings(t, *c.Data)
	assertClean(t, h.srv)
}

// TestAdapter_SlashCommandVisibility: no match and suggestions are private;
// private answers can be shared.
func TestAdapter_SlashCommandVisibility(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	h.awaitReady(t)
	iid := h.srv.SlashCommand(guildID, mentionChan, alice, "faq", map[string]string{"question": offTopic})
	if c := decodeCallback(t, h.srv.Await(t, "no-match response", discordtest.IsCallback(iid))); c.Data == nil || c.Data.Flags&64 == 0 {
		t.Errorf("a /faq without an answer must be private, got %+v", c.Data)
	}
	e := entry(t, 8)
	p := start(t, harnessOpts{cfg: Config{Ephemeral: true}})
	p.awaitReady(t)
	iid = p.srv.SlashCommand(guildID, mentionChan, alice, "faq", map[string]string{"question": e.Title})
	c := decodeCallback(t, p.srv.Await(t, "private answer", discordtest.IsCallback(iid)))
	if c.Data == nil || c.Data.Flags&64 == 0 || !slices.Contains(c.Data.customIDs(t), "faq:share::"+e.ID) {
		t.Errorf("want a private answer with Share in channel, got %+v", c.Data)
	}
}

// TestAdapter_AutocompletePickThroughCore: a picked entry is asked through
// the core, so the asker's cooldown applies to picks too, and the pick is
// recorded as a question the entry answers.
func TestAdapter_AutocompletePickThroughCore(t *testing.T) {
	t.Parallel()
	log := &feedbackLog{}
	bc := testPolicies()
	bc.UserCooldown = bot.Cooldown{PerMinute: 0.001, Burst: 1}
	bc.Recorder = log
	h := start(t, harnessOpts{botCfg: &bc})
	h.awaitReady(t)
	e := entry(t, 9)
	iid := h.srv.SlashCommand(guildID, mentionChan, alice, "faq", map[string]string{"question": e.ID})
	c := decodeCallback(t, h.srv.Await(t, "picked entry", discordtest.IsCallback(iid)))
	if c.Data == nil || c.Data.title() != titled(e.Title) || len(c.Data.selectValues(t)) == 0 {
		t.Fatalf("pick answered with %+v, want the entry with other answers", c.Data)
	}
	rec := log.recorded()
	if len(rec) != 1 || rec[0].Kind != bot.KindAnswer || rec[0].EntryID != e.ID || rec[0].Query != e.Title ||
		rec[0].User != alice.ID || rec[0].Channel != mentionChan || rec[0].Platform != bot.Discord {
		t.Errorf("recorded %+v, want alice's pick as a question answered by %s", rec, e.ID)
	}
	iid = h.srv.SlashCommand(guildID, mentionChan, alice, "faq", map[string]string{"question": e.ID})
	c = decodeCallback(t, h.srv.Await(t, "second pick", discordtest.IsCallback(iid)))
	if c.Data == nil || c.Data.Flags&64 == 0 || !strings.Contains(c.Data.Content, "Slow down") {
		t.Errorf("a second pick over the cooldown must get the private slow-down notice, got %+v", c.Data)
	}
	if n := len(log.recorded()); n != 1 {
		t.Errorf("%d questions recorded, want the first pick only", n)
	}
}

// TestAdapter_EditAndDelete: an edited question is answered again once, by
// editing the answer; a deleted question takes its answer with it.
func TestAdapter_EditAndDelete(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	m := mention(h, mentionChan, offTopic)
	q, _ := h.srv.SendMessage(m)
	answer := h.srv.Await(t, "no-match reply", discordtest.IsMessageTo(mentionChan)).MessageID
	editTwiceThenDelete(t, h.srv, q, answer)
	if n := h.srv.Count(discordtest.IsMessageTo(mentionChan)); n != 1 {
		t.Errorf("%d messages posted, want the one answer (edits are not new answers)", n)
	}
}

// TestAdapter_FeedbackAndModerators: feedback names the answer message
// (one vote per user per answer); a moderator may dismiss anyone's answer.
func TestAdapter_FeedbackAndModerators(t *testing.T) {
	t.Parallel()
	fb := &feedbackLog{}
	bc := testPolicies()
	bc.Recorder = fb
	h := start(t, harnessOpts{botCfg: &bc})
	e := entry(t, 12)
	h.srv.SendMessage(mention(h, mentionChan, e.Title))
	r := h.srv.Await(t, "answer", discordtest.IsMessageTo(mentionChan))
	msg := h.srv.Message(t, r.MessageID)
	for range 2 {
		iid := h.srv.Click(guildID, mentionChan, bob, msg, "faq:up:"+e.ID)
		h.srv.Await(t, "thanks", discordtest.IsCallback(iid))
	}
	got := fb.all()
	if len(got) != 2 || got[0].Answer != r.MessageID || got[0].User != bob.ID || got[0].EntryID != e.ID {
		t.Fatalf("feedback %+v, want two votes of bob naming answer %s", got, r.MessageID)
	}
	iid := h.srv.ClickAs(discordtest.Interaction{GuildID: guildID, ChannelID: mentionChan, User: bob, Message: msg,
		Permissions: discordtest.PermManageMessages}, "faq:dismiss:"+alice.ID)
	if c := decodeCallback(t, h.srv.Await(t, "moderator's dismissal", discordtest.IsCallback(iid))); c.Type != 6 {
		t.Fatalf("moderator's dismissal answered with type %d", c.Type)
	}
	h.srv.Await(t, "deletion", func(r discordtest.Request) bool {
		return r.Method == http.MethodDelete && r.Status == http.StatusNoContent
	})
}

// TestAdapter_CommandScopes: switching between guild and global commands
// removes the other scope's copy.
func TestAdapter_CommandScopes(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t, discordtest.Options{Guilds: testGuilds()})
	srv.SetCommands("", "faq")
	h := start(t, harnessOpts{srv: srv, cfg: Config{CommandGuilds: []string{guildID}}})
	h.awaitReady(t)
	h.srv.Await(t, "global commands emptied", func(r discordtest.Request) bool {
		return r.Method == http.MethodPut && r.Path == "/applications/"+srv.AppID()+"/commands" && string(r.Body) == "[]"
	})
	if got := srv.CommandNames(guildID); !slices.Equal(got, []string{"faq", "Ask espbot"}) || len(srv.CommandNames("")) != 0 {
		t.Errorf("guild commands %v, global %v", got, srv.CommandNames(""))
	}

	srv2 := discordtest.NewServer(t, discordtest.Options{Guilds: testGuilds()})
	srv2.SetCommands(guildID, "faq")
	g := start(t, harnessOpts{srv: srv2})
	g.awaitReady(t)
	srv2.Await(t, "guild commands emptied", func(r discordtest.Request) bool {
		return r.Method == http.MethodPut && r.Path == "/applications/"+srv2.AppID()+"/guilds/"+guildID+"/commands" && r.Status == http.StatusOK
	})
	srv2.Await(t, "global commands", func(r discordtest.Request) bool {
		return r.Method == http.MethodPut && r.Path == "/applications/"+srv2.AppID()+"/commands" && r.Status == http.StatusOK
	})
	if len(srv2.CommandNames(guildID)) != 0 || !slices.Equal(srv2.CommandNames(""), []string{"faq", "Ask espbot"}) {
		t.Errorf("guild commands %v, global %v", srv2.CommandNames(guildID), srv2.CommandNames(""))
	}
}

// TestAdapter_AutocompleteOutsideAllowList: autocomplete can only be
// answered with choices (type 8): outside the allow-list, none.
func TestAdapter_AutocompleteOutsideAllowList(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{cfg: Config{Guilds: []string{guildID}}})
	iid := h.srv.Autocomplete(otherGuild, "900", alice, "faq", "question", "wifi")
	r := h.srv.Await(t, "autocomplete answer", func(r discordtest.Request) bool { return strings.HasPrefix(r.Path, "/interactions/"+iid+"/") })
	var c struct {
		Type int `json:"type"`
		Data struct {
			Choices []any `json:"choices"`
		} `json:"data"`
	}
	r.JSON(t, &c)
	if r.Status != http.StatusNoContent || c.Type != 8 || c.Data.Choices == nil || len(c.Data.Choices) != 0 {
		t.Errorf("status %d type %d choices %v, want 204, 8 and []", r.Status, c.Type, c.Data.Choices)
	}
}

// TestAdapter_PanicRecovered: a panic while handling is logged, counted and
// answered with an apology; the adapter goes on.
func TestAdapter_PanicRecovered(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{core: func(c core) core { return panicCore{c} }})
	h.awaitReady(t)
	h.srv.SendMessage(discordtest.Message{ChannelID: dmChan, Author: alice, Content: "hello"})
	if s := decodeSent(t, h.srv.Await(t, "apology", discordtest.IsMessageTo(dmChan))); !strings.Contains(s.Content, "Sorry") {
		t.Errorf("DM apology %q", s.Content)
	}
	iid := h.srv.SlashCommand(guildID, mentionChan, alice, "faq", map[string]string{"question": "wifi"})
	if c := decodeCallback(t, h.srv.Await(t, "apology", discordtest.IsCallback(iid))); c.Data == nil || c.Data.Flags&64 == 0 || !strings.Contains(c.Data.Content, "Sorry") {
		t.Errorf("command apology %+v", c.Data)
	}
	if n := h.metrics.get(func(c *counts) int { return c.errors["panic"] }); n != 2 {
		t.Errorf("%d panics counted, want 2", n)
	}
	if !strings.Contains(h.logs.String(), "panic in the Discord adapter") {
		t.Error("panic not logged")
	}
}

// TestAdapter_AnswersSurviveARestart: the answers of questions live in the
// core's state (SQLite, as serve keeps it), not in the process: after a
// restart the edit of a question still edits its answer, once, and
// deleting the question deletes the answer.
func TestAdapter_AnswersSurviveARestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "espbot.db")
	process := func(srv *discordtest.Server) (*harness, *botstore.Recorder) {
		st, err := store.Open(context.Background(), store.Options{Driver: store.SQLite, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		rec := botstore.NewRecorder(st, botstore.RecorderOptions{RecordText: true})
		t.Cleanup(func() { rec.Close(context.Background()) })
		bc := testPolicies()
		bc.State, bc.Recorder = botstore.NewState(st, rec, 0), rec
		return start(t, harnessOpts{botCfg: &bc, srv: srv}), rec
	}
	first, rec := process(nil)
	q, _ := first.srv.SendMessage(mention(first, mentionChan, offTopic))
	answer := first.srv.Await(t, "no-match reply", discordtest.IsMessageTo(mentionChan)).MessageID
	first.awaitHandled(t, 1)
	// serve stops the adapters, then writes what the recorder queued.
	first.stop()
	if err := rec.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	second, _ := process(first.srv)
	second.awaitReady(t)
	editTwiceThenDelete(t, second.srv, q, answer)
}

// editTwiceThenDelete edits question q of mentionChan twice and deletes
// it: the first edit must edit its answer into another entry's, the
// second must not, and the deletion must delete the answer.
func editTwiceThenDelete(tb testing.TB, srv *discordtest.Server, q, answer string) {
	tb.Helper()
	e := entry(tb, 10)
	srv.EditMessage(q, srv.Mention()+" "+e.Title)
	isEdit := func(r discordtest.Request) bool {
		return r.Method == http.MethodPatch && r.Path == "/channels/"+mentionChan+"/messages/"+answer
	}
	if s := decodeSent(tb, srv.Await(tb, "answer edited", isEdit)); s.title() != titled(e.Title) || s.Content != "" {
		tb.Errorf("edited answer: title %q content %q, want the embed of %q", s.title(), s.Content, e.Title)
	}
	srv.EditMessage(q, srv.Mention()+" "+entry(tb, 11).Title)
	srv.DeleteMessage(q)
	srv.Await(tb, "answer deleted", func(r discordtest.Request) bool {
		return r.Method == http.MethodDelete && r.Path == "/channels/"+mentionChan+"/messages/"+answer && r.Status == http.StatusNoContent
	})
	if n := srv.Count(isEdit); n != 1 {
		tb.Errorf("%d edits of the answer, want 1 (re-answered once)", n)
	}
}
