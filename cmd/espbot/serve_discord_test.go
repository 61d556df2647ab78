package main

import (
	"net/http"
	"testing"

	"github.com/espbot/espbot/bot/discord/discordtest"
	"github.com/espbot/espbot/config"
)

// TestServe_Discord runs serve with Discord enabled against the loopback
// fake Discord: the token comes from the environment, api_url from the
// file, and a DM is answered.
func TestServe_Discord(t *testing.T) {
	t.Parallel()
	fake := discordtest.NewServer(t, discordtest.Options{})
	yaml := "http:\n  listen: 127.0.0.1:0\n  shutdown_timeout: 4s\ndiscord:\n  enabled: true\n  api_url: " + fake.APIURL() + "\n"
	rs := startServeEnv(t, yaml, serveFlags{}, map[string]string{config.EnvDiscordToken: fake.Token()})
	fake.AwaitConnected(t)
	waitFor(t, "/readyz to report Discord ready", func() bool {
		code, _ := get(t, rs.base+"/readyz")
		return code == http.StatusOK
	})
	fake.SendMessage(discordtest.Message{ChannelID: "700", Author: discordtest.User{ID: "42", Username: "alice"}, Content: "help"})
	fake.Await(t, "reply to the DM", discordtest.IsMessageTo("700"))
	if err := rs.stop(t); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func TestDiscordConfig(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.Discord.Token = "tok"
	c.Discord.Guilds = []string{"1"}
	c.Discord.CommandGuilds = []string{"2"}
	c.Discord.Ephemeral, c.Discord.MessageContent = true, true
	c.Discord.Shards, c.Discord.ShardIDs = 4, []int{1, 3}
	got := discordConfig(c)
	if got.Token != "tok" || got.APIURL != c.Discord.APIURL || len(got.Guilds) != 1 || got.CommandGuilds[0] != "2" ||
		!got.Ephemeral || !got.MessageContent || got.ShutdownGrace != c.HTTP.ShutdownTimeout.D()/2 ||
		got.Shards != 4 || len(got.ShardIDs) != 2 || got.ShardIDs[1] != 3 {
		t.Errorf("discordConfig = %+v", got)
	}
	c.Discord.Token = ""
	if _, err := newDiscordAdapter(c, nil, nil); err == nil {
		t.Error("no error without a token")
	}
}
