package discord

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/matcher"
)

// fakeSession is a hand-written session for unit tests: each method calls
// its ...Fn field when set, and handlers are kept so tests can emit events.
type fakeSession struct {
	mu       sync.Mutex
	handlers []interface{}
	closes   int

	OpenFn      func() error
	SendFn      func(channelID string, data *discordgo.MessageSend) (*discordgo.Message, error)
	ChannelFn   func(id string) (*discordgo.Channel, error)
	RespondFn   func(i *discordgo.Interaction, r *discordgo.InteractionResponse) error
	OverwriteFn func(appID, guildID string, cmds []*discordgo.ApplicationCommand) ([]*discordgo.ApplicationCommand, error)
}

func (f *fakeSession) AddHandler(h interface{}) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers = append(f.handlers, h)
	return func() {}
}

func (f *fakeSession) Open() error {
	if f.OpenFn != nil {
		return f.OpenFn()
	}
	return nil
}

func (f *fakeSession) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closes++
	return nil
}

func (f *fakeSession) ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	if f.SendFn != nil {
		return f.SendFn(channelID, data)
	}
	return &discordgo.Message{}, nil
}

func (f *fakeSession) ChannelMessageDelete(string, string, ...discordgo.RequestOption) error {
	return nil
}

func (f *fakeSession) Channel(id string, _ ...discordgo.RequestOption) (*discordgo.Channel, error) {
	if f.ChannelFn != nil {
		return f.ChannelFn(id)
	}
	return nil, errors.New("unknown channel")
}

func (f *fakeSession) InteractionRespond(i *discordgo.Interaction, r *discordgo.InteractionResponse, _ ...discordgo.RequestOption) error {
	if f.RespondFn != nil {
		return f.RespondFn(i, r)
	}
	return nil
}

func (f *fakeSession) ApplicationCommandBulkOverwrite(appID, guildID string, cmds []*discordgo.ApplicationCommand, _ ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error) {
	if f.OverwriteFn != nil {
		return f.OverwriteFn(appID, guildID, cmds)
	}
	return cmds, nil
}

// emit calls the handlers registered for ev's type, as discordgo would.
func (f *fakeSession) emit(ev interface{}) {
	f.mu.Lock()
	hs := append([]interface{}(nil), f.handlers...)
	f.mu.Unlock()
	for _, h := range hs {
		v := reflect.ValueOf(h)
		if v.Type().NumIn() == 2 && v.Type().In(1) == reflect.TypeOf(ev) {
			v.Call([]reflect.Value{reflect.Zero(v.Type().In(0)), reflect.ValueOf(ev)})
		}
	}
}

var _ session = (*fakeSession)(nil)

// newFakeAdapter returns an adapter on a fake session whose Open announces
// READY, and a function that waits for n handled events.
func newFakeAdapter(t *testing.T, f *fakeSession, cfg Config) (*Adapter, *counts, func(n int)) {
	t.Helper()
	m := newCounts()
	b := bot.New(bot.Config{}, testIndex(t, matcher.Options{}), nil, m)
	a := newAdapter(cfg, b, nil, f)
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	handled := 0
	a.afterEvent = func() {
		mu.Lock()
		handled++
		mu.Unlock()
		cond.Broadcast()
	}
	if f.OpenFn == nil {
		f.OpenFn = func() error {
			f.emit(&discordgo.Ready{User: &discordgo.User{ID: "1000"}, Application: &discordgo.Application{ID: "2000"}})
			return nil
		}
	}
	wait := func(n int) {
		mu.Lock()
		defer mu.Unlock()
		for handled < n {
			cond.Wait()
		}
	}
	return a, m, wait
}

// run runs a until the test ends.
func run(t *testing.T, a *Adapter) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func dm(text string) *discordgo.MessageCreate {
	return &discordgo.MessageCreate{Message: &discordgo.Message{ID: "9", ChannelID: "700", Content: text, Author: &discordgo.User{ID: "42"}}}
}

func restError(code int) error {
	return &discordgo.RESTError{Response: &http.Response{StatusCode: code, Status: http.StatusText(code)}}
}

func TestAdapter_RetryOnSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		errs      []error // returned by successive sends
		wantCalls int
		wantErrs  int
	}{
		{"ok", []error{nil}, 1, 0},
		{"5xx once", []error{restError(500), nil}, 2, 0},
		{"5xx twice", []error{restError(500), restError(504)}, 2, 1},
		{"4xx not retried", []error{restError(400)}, 1, 1},
		{"transport error not retried", []error{errors.New("connection reset")}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			calls := 0
			f := &fakeSession{SendFn: func(string, *discordgo.MessageSend) (*discordgo.Message, error) {
				mu.Lock()
				defer mu.Unlock()
				calls++
				if calls > len(tt.errs) {
					t.Error("too many sends")
					return nil, nil
				}
				return &discordgo.Message{}, tt.errs[calls-1]
			}}
			a, m, wait := newFakeAdapter(t, f, Config{})
			run(t, a)
			f.emit(dm(entry(t, 0).Title))
			wait(1)
			mu.Lock()
			defer mu.Unlock()
			if calls != tt.wantCalls {
				t.Errorf("%d sends, want %d", calls, tt.wantCalls)
			}
			if n := m.get(func(c *counts) int { return c.errors["send"] }); n != tt.wantErrs {
				t.Errorf("%d errors counted, want %d", n, tt.wantErrs)
			}
		})
	}
}

func TestAdapter_RunClosesOnceAndDropsLateEvents(t *testing.T) {
	t.Parallel()
	sends := 0
	f := &fakeSession{SendFn: func(string, *discordgo.MessageSend) (*discordgo.Message, error) {
		sends++
		return &discordgo.Message{}, nil
	}}
	a, _, _ := newFakeAdapter(t, f, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if f.closes != 1 {
		t.Errorf("Close called %d times, want 1", f.closes)
	}
	f.emit(dm(entry(t, 0).Title)) // after shutdown: must not be handled
	if sends != 0 {
		t.Errorf("%d sends after shutdown", sends)
	}
	if err := a.Run(context.Background()); err == nil {
		t.Error("second Run did not fail")
	}
}

func TestAdapter_OpenError(t *testing.T) {
	t.Parallel()
	f := &fakeSession{OpenFn: func() error { return restError(http.StatusUnauthorized) }}
	a, _, _ := newFakeAdapter(t, f, Config{})
	err := a.Run(context.Background())
	var re *discordgo.RESTError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "token is not valid") || f.closes != 0 {
		t.Fatalf("Run = %v (closes %d), want a wrapped token error and no Close", err, f.closes)
	}
}

func TestAdapter_RegisterCommands(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var guilds []string
	f := &fakeSession{OverwriteFn: func(app, guild string, cmds []*discordgo.ApplicationCommand) ([]*discordgo.ApplicationCommand, error) {
		mu.Lock()
		defer mu.Unlock()
		if app != "2000" || len(cmds) != 1 || cmds[0].Name != "faq" {
			t.Errorf("overwrite(%q, %q, %d commands)", app, guild, len(cmds))
		}
		guilds = append(guilds, guild)
		return cmds, nil
	}}
	a, _, _ := newFakeAdapter(t, f, Config{CommandGuilds: []string{"1", "2"}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(guilds, []string{"1", "2"}) {
		t.Errorf("registered in %v, want [1 2]", guilds)
	}
}

func TestAdapter_TranslateThreads(t *testing.T) {
	t.Parallel()
	f := &fakeSession{ChannelFn: func(id string) (*discordgo.Channel, error) {
		switch id {
		case "t1":
			return &discordgo.Channel{ID: "t1", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: "forum", Name: "Why is Wi-Fi slow?"}, nil
		case "forum":
			return &discordgo.Channel{ID: "forum", Type: discordgo.ChannelTypeGuildForum}, nil
		}
		return nil, errors.New("unknown")
	}}
	a, _, _ := newFakeAdapter(t, f, Config{})
	a.botID.Store(ptr("1000"))
	tests := []struct {
		name        string
		m           *discordgo.Message
		wantOK      bool
		wantChannel string
		wantThread  string
		wantText    string
	}{
		{"forum first post gets the title", &discordgo.Message{ID: "t1", ChannelID: "t1", GuildID: "g", Author: &discordgo.User{ID: "42"}, Content: "help"}, true, "forum", "t1", "Why is Wi-Fi slow?\nhelp"},
		{"forum follow-up dropped", &discordgo.Message{ID: "m2", ChannelID: "t1", GuildID: "g", Author: &discordgo.User{ID: "42"}, Content: "also"}, false, "forum", "t1", "also"},
		{"forum follow-up with mention", &discordgo.Message{ID: "m3", ChannelID: "t1", GuildID: "g", Author: &discordgo.User{ID: "42"}, Content: "<@1000> also", Mentions: []*discordgo.User{{ID: "1000"}}}, true, "forum", "t1", "also"},
		{"unknown channel is a channel", &discordgo.Message{ID: "m4", ChannelID: "c9", GuildID: "g", Author: &discordgo.User{ID: "42"}, Content: "hi"}, true, "c9", "", "hi"},
		{"system message", &discordgo.Message{ID: "m5", ChannelID: "c9", GuildID: "g", Author: &discordgo.User{ID: "42"}, Type: discordgo.MessageTypeGuildMemberJoin}, false, "", "", ""},
	}
	for _, tt := range tests {
		msg, ok := a.translate(context.Background(), tt.m)
		if ok != tt.wantOK || (tt.wantChannel != "" && (msg.Channel != tt.wantChannel || msg.Thread != tt.wantThread || msg.Text != tt.wantText)) {
			t.Errorf("%s: got %v %+v", tt.name, ok, msg)
		}
	}
}

func ptr(s string) *string { return &s }

func TestRewriteTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		apiURL, in, want string
	}{
		{"http://127.0.0.1:8080/api/v9", discordgo.EndpointAPI + "channels/1/messages", "http://127.0.0.1:8080/api/v9/channels/1/messages"},
		{"https://proxy.example/discord/", discordgo.EndpointAPI + "gateway?x=1", "https://proxy.example/discord/gateway?x=1"},
		{"http://127.0.0.1:8080/api/v9", "https://cdn.discordapp.com/avatars/1.png", "https://cdn.discordapp.com/avatars/1.png"},
	}
	for _, tt := range tests {
		var got string
		client, _ := Config{APIURL: tt.apiURL}.httpClient()
		rt := client.Transport.(rewriteTransport)
		rt.next = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r.URL.String()
			return nil, errors.New("stop")
		})
		req, _ := http.NewRequest(http.MethodGet, tt.in, nil)
		rt.RoundTrip(req)
		if got != tt.want {
			t.Errorf("%s via %s: got %s, want %s", tt.in, tt.apiURL, got, tt.want)
		}
	}
	if client, _ := (Config{APIURL: DefaultAPIURL}).httpClient(); reflect.TypeOf(client.Transport) != reflect.TypeOf(&http.Transport{}) {
		t.Errorf("Discord's own URL should not be rewritten, transport %T", client.Transport)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
