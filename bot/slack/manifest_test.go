package slack

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/slack/slacktest"
)

func TestNewManifest(t *testing.T) {
	t.Parallel()
	m, err := NewManifest(ManifestOptions{Mode: ModeSocket})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Settings
	if !s.SocketModeEnabled || s.EventSubscriptions.RequestURL != "" || s.Interactivity.RequestURL != "" || m.Features.SlashCommands[0].URL != "" {
		t.Errorf("socket mode manifest: %+v", s)
	}
	if !s.Interactivity.IsEnabled || !m.Features.AppHome.MessagesTab || m.Features.AppHome.MessagesReadOnly {
		t.Error("interactivity and the Messages tab (for DMs) must be on")
	}
	m, err = NewManifest(ManifestOptions{Mode: ModeHTTP, BaseURL: "https://bot.example.com/espbot/"})
	if err != nil {
		t.Fatal(err)
	}
	s = m.Settings
	if s.SocketModeEnabled || s.EventSubscriptions.RequestURL != "https://bot.example.com/espbot/slack/events" ||
		s.Interactivity.RequestURL != "https://bot.example.com/espbot/slack/interactions" ||
		m.Features.SlashCommands[0].URL != "https://bot.example.com/espbot/slack/commands" {
		t.Errorf("http mode manifest: %+v, command %+v", s, m.Features.SlashCommands[0])
	}
	for _, bad := range []struct {
		o    ManifestOptions
		want string
	}{
		{ManifestOptions{Mode: ModeHTTP}, "needs the base URL"},
		{ManifestOptions{Mode: ModeHTTP, BaseURL: "http://bot.example.com"}, "must be https"},
		{ManifestOptions{Mode: ModeHTTP, BaseURL: "bot.example.com"}, "not an absolute URL"},
		{ManifestOptions{Mode: ModeSocket, BaseURL: "https://bot.example.com"}, "only for http mode"},
		{ManifestOptions{Mode: "rtm"}, "unknown mode"},
	} {
		if _, err := NewManifest(bad.o); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: %v, want an error saying %q", bad.o, err, bad.want)
		}
	}
}

// eventSamples are events of every subscription, as Slack delivers them,
// each a question the adapter must answer.
func eventSamples(q string) map[string]map[string]any {
	return map[string]map[string]any{
		"app_mention":      mention("C1", "600.000001", q),
		"message.im":       messageIn("im", "D1", "600.000002", q),
		"message.mpim":     messageIn("mpim", "G1", "600.000003", q),
		"message.channels": messageIn("channel", "CAUTO", "600.000004", q),
		"message.groups":   messageIn("group", "GAUTO", "600.000005", q),
	}
}

// TestManifest_MatchesTheAdapter checks the manifest against what the code
// subscribes to: every event it declares is answered (and has its scope),
// its shortcut and command are the ones handled, and its request URLs are
// the paths Mount serves.
func TestManifest_MatchesTheAdapter(t *testing.T) {
	t.Parallel()
	m, err := NewManifest(ManifestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h := startWith(t, setup{core: func(c *bot.Config) { c.Channels["GAUTO"] = bot.PolicyAuto }})
	q := testEntries[0].Title
	samples := eventSamples(q)
	for i, ev := range m.Settings.EventSubscriptions.BotEvents {
		sample, ok := samples[ev]
		if !ok {
			t.Errorf("the manifest subscribes to %s, which no test delivers: handle it and add a sample", ev)
			continue
		}
		h.sendEvent(t, fmt.Sprintf("EvM%d", i), sample)
		if c := h.next(t); headerText(c.Blocks()) != q || c.Form.Get("channel") != sample["channel"] {
			t.Errorf("%s: got %s %q in %q, want the answer", ev, c.Method, headerText(c.Blocks()), c.Form.Get("channel"))
		}
		delete(samples, ev)
	}
	for ev := range samples {
		t.Errorf("the adapter answers %s events, but the manifest does not subscribe to them", ev)
	}
	scopes := m.OAuthConfig.Scopes.Bot
	for _, e := range botEvents() {
		if !slices.Contains(scopes, e.scope) {
			t.Errorf("%s needs scope %s, missing from %v", e.event, e.scope, scopes)
		}
	}
	for _, s := range []string{"chat:write", "commands"} {
		if !slices.Contains(scopes, s) {
			t.Errorf("scope %s missing from %v", s, scopes)
		}
	}

	sc := m.Features.Shortcuts[0]
	c := h.interact(t, slacktest.MessageAction(sc.CallbackID, "U1", "C1", q, h.fake.ResponseURL()))
	if sc.Type != "message" || headerText(c.Blocks()) != q {
		t.Errorf("shortcut %+v answered %q", sc, headerText(c.Blocks()))
	}
	env, err := h.fake.SendSlash(h.ctx(t), map[string]any{"command": m.Features.SlashCommands[0].Command, "text": q,
		"team_id": slacktest.TeamID, "channel_id": "C1", "user_id": "U1", "response_url": h.fake.ResponseURL(), "trigger_id": "t-m"})
	if err != nil {
		t.Fatal(err)
	}
	h.expectAck(t, env)
	if c := h.next(t); headerText(c.Blocks()) != q {
		t.Errorf("%s answered %q", m.Features.SlashCommands[0].Command, headerText(c.Blocks()))
	}
}

func TestManifest_RequestURLsAreServed(t *testing.T) {
	t.Parallel()
	m, err := NewManifest(ManifestOptions{Mode: ModeHTTP, BaseURL: "https://bot.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, ModeHTTP)
	for _, u := range []string{m.Settings.EventSubscriptions.RequestURL, m.Settings.Interactivity.RequestURL, m.Features.SlashCommands[0].URL} {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		// An unsigned request: 401 from a mounted path, 404 otherwise.
		if code, _ := h.post(t, p.Path, formType, []byte("x=1"), time.Now(), func(r *http.Request) { r.Header.Del("X-Slack-Signature") }); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401 from a mounted endpoint", p.Path, code)
		}
	}
}
