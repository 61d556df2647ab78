package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot/slack/slacktest"
)

func TestNew_ConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no bot token", Config{AppToken: "xapp-1"}, "ESPBOT_SLACK_BOT_TOKEN"},
		{"socket without app token", Config{BotToken: "xoxb-1"}, "ESPBOT_SLACK_APP_TOKEN"},
		{"http without secret", Config{Mode: ModeHTTP, BotToken: "xoxb-1"}, "ESPBOT_SLACK_SIGNING_SECRET"},
		{"unknown mode", Config{Mode: "rtm", BotToken: "xoxb-1"}, `unknown mode "rtm"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, newCore(t, nil), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

// TestRun_StartupFailsClearly: a wrong token or an unreachable Socket Mode
// endpoint ends Run with an error naming the cause, instead of retrying
// forever.
func TestRun_StartupFailsClearly(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(*Config)
		fault func(*slacktest.Server)
		want  []string
	}{
		{"wrong bot token", func(c *Config) { c.BotToken = "xoxb-wrong" }, nil, []string{"auth.test", "invalid_auth"}},
		{"wrong app token", func(c *Config) { c.AppToken = "xapp-wrong" }, nil, []string{"apps.connections.open", "invalid_auth"}},
		// Without retries, which would only delay the error past 300 ms.
		{"socket endpoint failing", func(c *Config) { c.StartTimeout, c.Retries = 300*time.Millisecond, -1 },
			func(s *slacktest.Server) { s.Fail("apps.connections.open", 1000) }, []string{"not connected within 300ms", "500"}},
		{"Slack not answering", func(c *Config) { c.StartTimeout = 300 * time.Millisecond },
			func(s *slacktest.Server) { s.Stall("auth.test") }, []string{"auth.test", "deadline exceeded"}},
		{"http mode, wrong bot token", func(c *Config) { c.Mode, c.BotToken = ModeHTTP, "xoxb-wrong" }, nil, []string{"auth.test", "invalid_auth"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := slacktest.NewServer()
			defer fake.Close()
			if tc.fault != nil {
				tc.fault(fake)
			}
			cfg := Config{BotToken: slacktest.BotToken, AppToken: slacktest.AppToken, SigningSecret: "s",
				APIURL: fake.APIURL, StartTimeout: waitFor}
			tc.edit(&cfg)
			a, err := New(cfg, newCore(t, nil), testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			err = a.Run(ctx)
			if err == nil || ctx.Err() != nil {
				t.Fatalf("Run = %v (ctx %v), want a start-up error", err, ctx.Err())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if a.Ready() {
				t.Error("Ready after a failed start")
			}
		})
	}
}

func TestRun_ShutdownIsClean(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModeSocket, ModeHTTP} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			h := start(t, mode)
			h.cancel()
			select {
			case err := <-h.runErr:
				if err != nil {
					t.Errorf("Run = %v after cancel, want nil", err)
				}
				h.runErr <- nil // for the cleanup
			case <-time.After(waitFor):
				t.Fatal("Run did not return after cancel")
			}
			if h.adapter.Ready() {
				t.Error("Ready after shutdown")
			}
			// Goroutine leaks are checked for the whole package by TestMain.
		})
	}
}
