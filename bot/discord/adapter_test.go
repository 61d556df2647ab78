package discord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/matcher"
)

// fakeREST is a hand-written REST client for unit tests: each method calls
// its ...Fn field when set.
type fakeREST struct {
	GatewayFn   func() (*discordgo.GatewayBotResponse, error)
	SendFn      func(channelID string, body []byte) ([]byte, error)
	ChannelFn   func(id string) (*discordgo.Channel, error)
	RespondFn   func(i *discordgo.Interaction, r *discordgo.InteractionResponse) error
	OverwriteFn func(appID, guildID string, cmds []*discordgo.ApplicationCommand) ([]*discordgo.ApplicationCommand, error)
	ListFn      func(appID, guildID string) ([]*discordgo.ApplicationCommand, error)
}

func (f *fakeREST) GatewayBot(...discordgo.RequestOption) (*discordgo.GatewayBotResponse, error) {
	if f.GatewayFn != nil {
		return f.GatewayFn()
	}
	return nil, errors.New("no gateway")
}

func (f *fakeREST) RequestWithBucketID(method, url string, data interface{}, _ string, _ ...discordgo.RequestOption) ([]byte, error) {
	body, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	if f.SendFn != nil {
		return f.SendFn(url, body)
	}
	return []byte(`{"id": "1"}`), nil
}

func (f *fakeREST) ChannelMessageEditComplex(*discordgo.MessageEdit, ...discordgo.RequestOption) (*discordgo.Message, error) {
	return &discordgo.Message{}, nil
}

func (f *fakeREST) ChannelMessageDelete(string, string, ...discordgo.RequestOption) error {
	return nil
}

func (f *fakeREST) Channel(id string, _ ...discordgo.RequestOption) (*discordgo.Channel, error) {
	if f.ChannelFn != nil {
		return f.ChannelFn(id)
	}
	return nil, errors.New("unknown channel")
}

func (f *fakeREST) InteractionRespond(i *discordgo.Interaction, r *discordgo.InteractionResponse, _ ...discordgo.RequestOption) error {
	if f.RespondFn != nil {
		return f.RespondFn(i, r)
	}
	return nil
}

func (f *fakeREST) InteractionResponseEdit(*discordgo.Interaction, *discordgo.WebhookEdit, ...discordgo.RequestOption) (*discordgo.Message, error) {
	return &discordgo.Message{}, nil
}

func (f *fakeREST) ApplicationCommandBulkOverwrite(appID, guildID string, cmds []*discordgo.ApplicationCommand, _ ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error) {
	if f.OverwriteFn != nil {
		return f.OverwriteFn(appID, guildID, cmds)
	}
	return cmds, nil
}

func (f *fakeREST) ApplicationCommands(appID, guildID string, _ ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error) {
	if f.ListFn != nil {
		return f.ListFn(appID, guildID)
	}
	return nil, nil
}

var _ rest = (*fakeREST)(nil)

// newFakeAdapter returns an adapter on a fake REST client, as if READY had
// arrived, and a function that waits for n handled events.
func newFakeAdapter(t *testing.T, f *fakeREST, cfg Config) (*Adapter, *counts, func(n int)) {
	t.Helper()
	m := newCounts()
	b := bot.New(bot.Config{}, testIndex(t, matcher.Options{}), nil, m)
	a := newAdapter(cfg, b, nil, f)
	a.self.Store(&identity{user: "1000", name: "espbot", app: "2000"})
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	handled := 0
	a.afterEvent = func() {
		mu.Lock()
		handled++
		mu.Unlock()
		cond.Broadcast()
	}
	wait := func(n int) {
		mu.Lock()
		defer mu.Unlock()
		for handled < n {
			cond.Wait()
		}
	}
	t.Cleanup(func() { a.shutdown(func() {}) })
	return a, m, wait
}

// dm is a DM's MESSAGE_CREATE payload.
func dm(text string) json.RawMessage {
	raw, _ := json.Marshal(map[string]any{"id": "9", "channel_id": "700", "content": text, "author": map[string]any{"id": "42"}, "type": 0})
	return raw
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
		{"429 waited out", []error{&discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{RetryAfter: time.Millisecond}}}, nil}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			calls := 0
			var nonces []string
			f := &fakeREST{SendFn: func(_ string, body []byte) ([]byte, error) {
				mu.Lock()
				defer mu.Unlock()
				calls++
				var m struct {
					Nonce   string `json:"nonce"`
					Enforce bool   `json:"enforce_nonce"`
				}
				json.Unmarshal(body, &m)
				if m.Enforce {
					nonces = append(nonces, m.Nonce)
				}
				if calls > len(tt.errs) {
					t.Error("too many sends")
					return nil, nil
				}
				return []byte(`{"id": "77"}`), tt.errs[calls-1]
			}}
			a, m, wait := newFakeAdapter(t, f, Config{})
			a.dispatch(nil, "MESSAGE_CREATE", dm(entry(t, 0).Title))
			wait(1)
			mu.Lock()
			defer mu.Unlock()
			if calls != tt.wantCalls {
				t.Errorf("%d sends, want %d", calls, tt.wantCalls)
			}
			if len(nonces) != calls || (len(nonces) > 0 && nonces[0] != "9") {
				t.Errorf("nonces %v: every attempt must carry the question's ID with enforce_nonce", nonces)
			}
			if n := m.get(func(c *counts) int { return c.errors["send"] }); n != tt.wantErrs {
				t.Errorf("%d errors counted, want %d", n, tt.wantErrs)
			}
		})
	}
}

func TestAdapter_GatewayUnauthorized(t *testing.T) {
	t.Parallel()
	f := &fakeREST{GatewayFn: func() (*discordgo.GatewayBotResponse, error) { return nil, restError(http.StatusUnauthorized) }}
	a, _, _ := newFakeAdapter(t, f, Config{})
	err := a.Run(context.Background())
	var re *discordgo.RESTError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "token is not valid") {
		t.Fatalf("Run = %v, want a wrapped token error", err)
	}
	if err := a.Run(context.Background()); err == nil {
		t.Error("second Run did not fail")
	}
}

func TestAdapter_RegisterCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		guilds []string
		want   []string // scope of each overwrite, "global" or the guild, and what it held
	}{
		{"global", nil, []string{"global:faq,Ask espbot"}},
		{"guilds, and global emptied", []string{"1", "2"}, []string{"1:faq,Ask espbot", "2:faq,Ask espbot", "global:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			f := &fakeREST{OverwriteFn: func(app, guild string, cmds []*discordgo.ApplicationCommand) ([]*discordgo.ApplicationCommand, error) {
				if app != "2000" {
					t.Errorf("application %q", app)
				}
				var names []string
				for _, c := range cmds {
					names = append(names, c.Name)
				}
				if guild == "" {
					guild = "global"
				}
				got = append(got, guild+":"+strings.Join(names, ","))
				return cmds, nil
			}}
			a, _, _ := newFakeAdapter(t, f, Config{CommandGuilds: tt.guilds})
			a.registerCommands(context.Background())
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("overwrites %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdapter_TranslateThreads(t *testing.T) {
	t.Parallel()
	f := &fakeREST{ChannelFn: func(id string) (*discordgo.Channel, error) {
		switch id {
		case "t1":
			return &discordgo.Channel{ID: "t1", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: "forum", Name: "Why is Wi-Fi slow?"}, nil
		case "forum":
			return &discordgo.Channel{ID: "forum", Type: discordgo.ChannelTypeGuildForum}, nil
		}
		return nil, errors.New("unknown")
	}}
	a, _, _ := newFakeAdapter(t, f, Config{})
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
		q, ok := a.translate(context.Background(), tt.m)
		msg := q.msg
		if ok != tt.wantOK || (tt.wantChannel != "" && (msg.Channel != tt.wantChannel || msg.Thread != tt.wantThread || msg.Text != tt.wantText)) {
			t.Errorf("%s: got %v %+v", tt.name, ok, msg)
		}
	}
}

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
