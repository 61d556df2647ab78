package slack

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/matcher"
)

// Hand-written fakes of the SDK boundary and the core, for the decisions
// the adapter makes itself.

type fakeAPI struct {
	mu    sync.Mutex
	posts []post
}

type post struct {
	method, channel, user string
	values                url.Values
}

func (f *fakeAPI) record(method, channel, user string, opts []slack.MsgOption) {
	_, v, _ := slack.UnsafeApplyMsgOptions("tok", channel, "http://fake/", opts...)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = append(f.posts, post{method, channel, user, v})
}

func (f *fakeAPI) all() []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]post(nil), f.posts...)
}

func (f *fakeAPI) AuthTestContext(context.Context) (*slack.AuthTestResponse, error) {
	return &slack.AuthTestResponse{UserID: "UBOT", BotID: "BBOT", TeamID: "T1"}, nil
}

func (f *fakeAPI) PostMessageContext(_ context.Context, ch string, opts ...slack.MsgOption) (string, string, error) {
	f.record("post", ch, "", opts)
	return ch, "1.1", nil
}

func (f *fakeAPI) PostEphemeralContext(_ context.Context, ch, user string, opts ...slack.MsgOption) (string, error) {
	f.record("ephemeral", ch, user, opts)
	return "1.1", nil
}

func (f *fakeAPI) SendMessageContext(_ context.Context, ch string, opts ...slack.MsgOption) (string, string, string, error) {
	f.record("respond", ch, "", opts)
	return ch, "1.1", "", nil
}

func (f *fakeAPI) GetConversationRepliesContext(context.Context, *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error) {
	return nil, false, "", nil
}

func (f *fakeAPI) GetConversationHistoryContext(context.Context, *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	return &slack.GetConversationHistoryResponse{}, nil
}

type fakeCore struct {
	HandleFn func(bot.Message) bot.Reply
	policy   bot.Policy
	mu       sync.Mutex
	handled  []bot.Message
	state    *bot.MemoryState // the adapter's claims and notes
}

func (c *fakeCore) Handle(_ context.Context, m bot.Message) bot.Reply {
	c.mu.Lock()
	c.handled = append(c.handled, m)
	c.mu.Unlock()
	return c.HandleFn(m)
}

func (c *fakeCore) Show(id string) bot.Reply {
	return bot.Reply{Kind: bot.KindAnswer, Entry: &testEntries[0], Confidence: 1}
}
func (c *fakeCore) RecordFeedback(context.Context, bot.Feedback) {}
func (c *fakeCore) PolicyFor(bot.Platform, string) bot.Policy    { return c.policy }
func (c *fakeCore) Metrics() bot.Metrics                         { return bot.NopMetrics{} }
func (c *fakeCore) Index() *matcher.Index                        { return nil }
func (c *fakeCore) Claim(ctx context.Context, _ bot.Platform, key string, ttl time.Duration) bool {
	ok, _ := c.memory().Claim(ctx, key, time.Now(), time.Now().Add(ttl))
	return ok
}
func (c *fakeCore) Remember(ctx context.Context, _ bot.Platform, key, value string, ttl time.Duration) {
	c.memory().SetNote(ctx, key, value, time.Now(), time.Now().Add(ttl))
}
func (c *fakeCore) Recall(ctx context.Context, _ bot.Platform, key string) string {
	v, _ := c.memory().Note(ctx, key, time.Now())
	return v
}
func (c *fakeCore) memory() *bot.MemoryState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		c.state = bot.NewMemoryState(1000)
	}
	return c.state
}
func (c *fakeCore) messages() []bot.Message { c.mu.Lock(); defer c.mu.Unlock(); return c.handled }
func reply(k bot.Kind) func(bot.Message) bot.Reply {
	return func(bot.Message) bot.Reply { return bot.Reply{Kind: k, Entry: &testEntries[0], Query: "q", Title: "T"} }
}
func ephemeral(r func(bot.Message) bot.Reply) func(bot.Message) bot.Reply {
	return func(m bot.Message) bot.Reply { x := r(m); x.Ephemeral = true; return x }
}

func TestAdapter_Reply(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		core    *fakeCore
		event   any
		want    string // method of the one expected post, "" for none
		asked   bool   // whether the core is consulted
		checkFn func(*testing.T, post, bot.Message)
	}{
		{"mention answered in thread", &fakeCore{HandleFn: reply(bot.KindAnswer)},
			&slackevents.AppMentionEvent{Channel: "C1", User: "U1", TimeStamp: "1.5", Text: "<@UBOT> hi"}, "post", true,
			func(t *testing.T, p post, m bot.Message) {
				if p.values.Get("thread_ts") != "1.5" || !m.MentionsBot || m.Text != "<@UBOT> hi" || m.Thread != "1.5" || m.Guild != "T1" {
					t.Errorf("post %v, message %+v", p.values, m)
				}
			}},
		{"auto channel no-match is silent", &fakeCore{HandleFn: reply(bot.KindNoMatch), policy: bot.PolicyAuto},
			&slackevents.MessageEvent{Channel: "CA", ChannelType: "channel", User: "U1", TimeStamp: "2.5", Text: "hmm"}, "", true, nil},
		{"auto channel suggestions are silent", &fakeCore{HandleFn: reply(bot.KindSuggestions), policy: bot.PolicyAuto},
			&slackevents.MessageEvent{Channel: "CA", ChannelType: "channel", User: "U1", TimeStamp: "2.6", Text: "hmm"}, "", true, nil},
		{"auto channel answer in thread", &fakeCore{HandleFn: reply(bot.KindAnswer), policy: bot.PolicyAuto},
			&slackevents.MessageEvent{Channel: "CA", ChannelType: "channel", User: "U1", TimeStamp: "2.7", ThreadTimeStamp: "2.1", Text: "q"}, "post", true,
			func(t *testing.T, p post, m bot.Message) {
				if p.values.Get("thread_ts") != "2.1" || m.Thread != "2.1" || m.MentionsBot {
					t.Errorf("post %v, message %+v", p.values, m)
				}
			}},
		{"mention-only channel not consulted", &fakeCore{HandleFn: reply(bot.KindAnswer), policy: bot.PolicyMention},
			&slackevents.MessageEvent{Channel: "C1", ChannelType: "channel", User: "U1", TimeStamp: "3.5", Text: "q"}, "", false, nil},
		{"ignore posts nothing", &fakeCore{HandleFn: reply(bot.KindIgnore)},
			&slackevents.MessageEvent{Channel: "D1", ChannelType: "im", User: "U1", TimeStamp: "4.5", Text: "q"}, "", true, nil},
		{"ephemeral reply", &fakeCore{HandleFn: ephemeral(reply(bot.KindNotice))},
			&slackevents.MessageEvent{Channel: "D1", ChannelType: "im", User: "U1", TimeStamp: "4.6", Text: "q"}, "ephemeral", true,
			func(t *testing.T, p post, m bot.Message) {
				if p.user != "U1" || !m.IsDM {
					t.Errorf("post %+v, message %+v", p, m)
				}
			}},
		{"own message never reaches the core", &fakeCore{HandleFn: reply(bot.KindAnswer)},
			&slackevents.MessageEvent{Channel: "D1", ChannelType: "im", User: "UBOT", BotID: "BBOT", TimeStamp: "5.5", Text: "q"}, "", false, nil},
		{"edit ignored", &fakeCore{HandleFn: reply(bot.KindAnswer)},
			&slackevents.MessageEvent{Channel: "D1", ChannelType: "im", SubType: "message_changed", TimeStamp: "6.5"}, "", false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := &fakeAPI{}
			a := newAdapter(Config{}, tc.core, nil, api, nil, nil)
			if err := a.authenticate(context.Background()); err != nil {
				t.Fatal(err)
			}
			inner := slackevents.EventsAPIInnerEvent{Data: tc.event}
			a.handleEventsAPI(context.Background(), slackevents.EventsAPIEvent{TeamID: "T1", Data: &slackevents.EventsAPICallbackEvent{EventID: "E1"}, InnerEvent: inner})
			posts, asked := api.all(), tc.core.messages()
			if (len(asked) > 0) != tc.asked {
				t.Errorf("core consulted %d times, want asked=%v", len(asked), tc.asked)
			}
			if tc.want == "" {
				if len(posts) != 0 {
					t.Errorf("posted %+v, want nothing", posts)
				}
				return
			}
			if len(posts) != 1 || posts[0].method != tc.want {
				t.Fatalf("posts %+v, want one %s", posts, tc.want)
			}
			if posts[0].values.Get("text") == "" {
				t.Errorf("post lacks fallback text: %v", posts[0].values)
			}
			if tc.checkFn != nil {
				tc.checkFn(t, posts[0], asked[0])
			}
		})
	}
}

// fakeSocket is a Socket Mode client whose events the test feeds.
type fakeSocket struct {
	mu   sync.Mutex
	acks []string
}

func (s *fakeSocket) RunContext(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func (s *fakeSocket) AckCtx(_ context.Context, id string, _ any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acks = append(s.acks, id)
	return nil
}

func TestAdapter_SocketAcksEveryEnvelope(t *testing.T) {
	t.Parallel()
	events := make(chan socketmode.Event)
	sock := &fakeSocket{}
	core := &fakeCore{HandleFn: reply(bot.KindIgnore)}
	a := newAdapter(Config{}, core, nil, &fakeAPI{}, sock, events)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	events <- socketmode.Event{Type: socketmode.EventTypeConnected, Data: &socketmode.ConnectedEvent{}}
	sent := []socketmode.Event{
		{Type: socketmode.EventTypeEventsAPI, Data: slackevents.EventsAPIEvent{}, Request: &socketmode.Request{EnvelopeID: "e1"}},
		{Type: socketmode.EventTypeSlashCommand, Data: slack.SlashCommand{}, Request: &socketmode.Request{EnvelopeID: "e2"}},
		{Type: socketmode.EventTypeInteractive, Data: slack.InteractionCallback{}, Request: &socketmode.Request{EnvelopeID: "e3"}},
		{Type: socketmode.EventTypeEventsAPI, Data: slackevents.EventsAPIEvent{}, Request: &socketmode.Request{EnvelopeID: "e4"}},
	}
	for _, ev := range sent {
		events <- ev
	}
	for a.handled.Load() < int64(len(sent)) {
		time.Sleep(time.Millisecond)
	}
	if !a.Ready() {
		t.Error("not ready after connected")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if len(sock.acks) != 4 || sock.acks[0] != "e1" || sock.acks[3] != "e4" {
		t.Errorf("acks %v, want e1..e4 in order", sock.acks)
	}
}
