package config

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Environment variables holding secrets.
const (
	EnvDiscordToken       = "ESPBOT_DISCORD_TOKEN"
	EnvSlackBotToken      = "ESPBOT_SLACK_BOT_TOKEN"
	EnvSlackAppToken      = "ESPBOT_SLACK_APP_TOKEN"
	EnvSlackSigningSecret = "ESPBOT_SLACK_SIGNING_SECRET"
	EnvStoreDSN           = "ESPBOT_STORE_DSN"
)

// override is one environment variable that overrides a key of the file.
type override struct {
	env string
	key string
	set func(c *Config, v string) error
}

// overrides lists the non-secret environment overrides.
func overrides() []override {
	return []override{
		{"ESPBOT_HTTP_LISTEN", "http.listen", func(c *Config, v string) error { c.HTTP.Listen = v; return nil }},
		{"ESPBOT_KNOWLEDGE_PATHS", "knowledge.paths", func(c *Config, v string) error {
			c.Knowledge.Paths = filepath.SplitList(v)
			return nil
		}},
		{"ESPBOT_KNOWLEDGE_WATCH", "knowledge.watch", boolSetter(func(c *Config) *bool { return &c.Knowledge.Watch })},
		{"ESPBOT_LOG_LEVEL", "log.level", func(c *Config, v string) error { c.Log.Level = v; return nil }},
		{"ESPBOT_LOG_FORMAT", "log.format", func(c *Config, v string) error { c.Log.Format = v; return nil }},
		{"ESPBOT_POLICY_DEFAULT", "policy.default", func(c *Config, v string) error { c.Policy.Default = v; return nil }},
		{"ESPBOT_DISCORD_ENABLED", "discord.enabled", boolSetter(func(c *Config) *bool { return &c.Discord.Enabled })},
		{"ESPBOT_DISCORD_API_URL", "discord.api_url", func(c *Config, v string) error { c.Discord.APIURL = v; return nil }},
		{"ESPBOT_DISCORD_SHARDS", "discord.shards", func(c *Config, v string) (err error) {
			c.Discord.Shards, err = ParseShardCount(v)
			return err
		}},
		{"ESPBOT_DISCORD_SHARD_IDS", "discord.shard_ids", func(c *Config, v string) error {
			c.Discord.ShardIDs = nil
			for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
				id, err := strconv.Atoi(f)
				if err != nil {
					return fmt.Errorf("want shard IDs such as 0,2, got %q", v)
				}
				c.Discord.ShardIDs = append(c.Discord.ShardIDs, id)
			}
			return nil
		}},
		{"ESPBOT_SLACK_ENABLED", "slack.enabled", boolSetter(func(c *Config) *bool { return &c.Slack.Enabled })},
		{"ESPBOT_SLACK_MODE", "slack.mode", func(c *Config, v string) error { c.Slack.Mode = v; return nil }},
		{"ESPBOT_SLACK_API_URL", "slack.api_url", func(c *Config, v string) error { c.Slack.APIURL = v; return nil }},
		{"ESPBOT_STORE_DRIVER", "store.driver", func(c *Config, v string) error { c.Store.Driver = v; return nil }},
		{"ESPBOT_STORE_PATH", "store.path", func(c *Config, v string) error { c.Store.Path = v; return nil }},
	}
}

func boolSetter(field func(c *Config) *bool) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", v)
		}
		*field(c) = b
		return nil
	}
}

// EnvKeys lists the environment variables the configuration reads, for
// documentation and "config check".
func EnvKeys() []string {
	keys := []string{EnvDiscordToken, EnvSlackBotToken, EnvSlackAppToken, EnvSlackSigningSecret, EnvStoreDSN}
	for _, o := range overrides() {
		keys = append(keys, o.env)
	}
	return keys
}

// applyEnv applies the environment overrides that are set, every one of
// them: a bad value is a problem and the others still apply. It records
// which keys the environment set in c.fromEnv.
func applyEnv(c *Config, env Env) []Problem {
	var probs []Problem
	c.fromEnv = map[string]string{}
	for _, o := range overrides() {
		v := env.getenv(o.env)
		if v == "" {
			continue
		}
		c.fromEnv[o.key] = o.env
		if err := o.set(c, v); err != nil {
			probs = append(probs, Problem{Key: o.env, Message: err.Error()})
		}
	}
	return probs
}

// envFor returns the environment variable that set key, or an element or
// field of it ("knowledge.paths[1]"), and the rest of key past the
// variable's key ("[1]"); "" when the value came from elsewhere.
func (c *Config) envFor(key string) (variable, rest string) {
	for k, v := range c.fromEnv {
		if r, ok := strings.CutPrefix(key, k); ok && (r == "" || r[0] == '[' || r[0] == '.') {
			return v, r
		}
	}
	return "", ""
}

// secret is one secret: its environment variable, its *_file key and where
// it goes.
type secret struct {
	env     string
	fileKey string
	file    func(c *Config) string
	dst     func(c *Config) *Secret
}

func secrets() []secret {
	return []secret{
		{EnvDiscordToken, "discord.token_file", func(c *Config) string { return c.Discord.TokenFile }, func(c *Config) *Secret { return &c.Discord.Token }},
		{EnvSlackBotToken, "slack.bot_token_file", func(c *Config) string { return c.Slack.BotTokenFile }, func(c *Config) *Secret { return &c.Slack.BotToken }},
		{EnvSlackAppToken, "slack.app_token_file", func(c *Config) string { return c.Slack.AppTokenFile }, func(c *Config) *Secret { return &c.Slack.AppToken }},
		{EnvSlackSigningSecret, "slack.signing_secret_file", func(c *Config) string { return c.Slack.SigningSecretFile }, func(c *Config) *Secret { return &c.Slack.SigningSecret }},
		{EnvStoreDSN, "", nil, func(c *Config) *Secret { return &c.Store.DSN }},
	}
}

// loadSecrets fills secrets from the environment, or else from their
// *_file. The environment wins so that a deployment can override a file.
func loadSecrets(c *Config, env Env) []Problem {
	var probs []Problem
	for _, s := range secrets() {
		if v := strings.TrimSpace(env.getenv(s.env)); v != "" {
			*s.dst(c) = Secret(v)
			continue
		}
		if s.file == nil || s.file(c) == "" {
			continue
		}
		data, err := env.readFile(s.file(c))
		if err != nil {
			probs = append(probs, Problem{Key: s.fileKey, Message: fmt.Sprintf("cannot read secret file: %v", err)})
			continue
		}
		v := strings.TrimSpace(string(data))
		if v == "" {
			probs = append(probs, Problem{Key: s.fileKey, Message: "secret file is empty"})
		}
		*s.dst(c) = Secret(v)
	}
	return probs
}
