package config

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// validate reports every problem of c at once.
func (c *Config) validate() []Problem {
	var v validator
	v.listen("http.listen", c.HTTP.Listen)
	v.check(c.HTTP.MaxBodyBytes > 0, "http.max_body_bytes", "must be positive")
	v.check(c.HTTP.ShutdownTimeout > 0, "http.shutdown_timeout", "must be positive")
	v.check(c.HTTP.ReadTimeout > 0, "http.read_timeout", "must be positive")
	v.check(c.HTTP.WriteTimeout > 0, "http.write_timeout", "must be positive")
	v.check(c.HTTP.IdleTimeout > 0, "http.idle_timeout", "must be positive")
	v.check(c.HTTP.MaxConnections > 0, "http.max_connections", "must be positive")
	v.check(c.HTTP.MaxInFlight > 0, "http.max_in_flight", "must be positive")
	v.rate("http.rate_limit", c.HTTP.RateLimit)
	if c.Knowledge.BaseURL != "" {
		v.url("knowledge.base_url", c.Knowledge.BaseURL, "http", "https")
	}
	for i, p := range c.Knowledge.Paths {
		v.check(p != "", fmt.Sprintf("knowledge.paths[%d]", i), "must not be empty")
	}
	v.check(c.Knowledge.Debounce >= 0, "knowledge.debounce", "must not be negative")
	v.fraction("matcher.answer_threshold", c.Matcher.AnswerThreshold)
	v.fraction("matcher.auto_threshold", c.Matcher.AutoThreshold)
	if c.Matcher.AnswerThreshold > 0 && c.Matcher.AutoThreshold > 0 && c.Matcher.AutoThreshold < c.Matcher.AnswerThreshold {
		v.add("matcher.auto_threshold", fmt.Sprintf("%g is below answer_threshold %g: auto replies need more confidence, not less",
			c.Matcher.AutoThreshold, c.Matcher.AnswerThreshold))
	}
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")
	v.oneOf("policy.default", c.Policy.Default, "mention", "auto", "off")
	v.rate("cooldown.user", c.Cooldown.User)
	v.rate("cooldown.channel", c.Cooldown.Channel)
	c.validateDiscord(&v)
	c.validateSlack(&v)
	c.validateStore(&v)
	return v.probs
}

func (c *Config) validateDiscord(v *validator) {
	d := c.Discord
	v.url("discord.api_url", d.APIURL, "http", "https")
	if d.Policy != "" {
		v.oneOf("discord.policy", d.Policy, "mention", "auto", "off")
	}
	v.channels("discord.channels", d.Channels)
	v.channelIDs("discord.channels", d.Channels, isSnowflake, "a Discord channel ID (a number; enable Developer Mode and use Copy Channel ID)")
	v.ids("discord.guilds", d.Guilds, isSnowflake, "a Discord guild ID (a number)")
	v.ids("discord.command_guilds", d.CommandGuilds, isSnowflake, "a Discord guild ID (a number)")
	if d.Enabled && !d.Token.IsSet() {
		v.add("discord.enabled", "Discord is enabled but has no token: set "+EnvDiscordToken+" or discord.token_file")
	}
	seen := map[int]bool{}
	for i, id := range d.ShardIDs {
		key := fmt.Sprintf("discord.shard_ids[%d]", i)
		switch {
		case id < 0:
			v.add(key, fmt.Sprintf("%d is negative: shard IDs count from 0", id))
		case d.Shards > 0 && id >= int(d.Shards):
			v.add(key, fmt.Sprintf("%d is not below discord.shards (%d): shard IDs go from 0 to shards-1", id, d.Shards))
		case seen[id]:
			v.add(key, fmt.Sprintf("shard %d is listed twice", id))
		}
		seen[id] = true
	}
}

func (c *Config) validateSlack(v *validator) {
	s := c.Slack
	v.oneOf("slack.mode", s.Mode, SlackSocket, SlackHTTP)
	v.url("slack.api_url", s.APIURL, "http", "https")
	if s.Policy != "" {
		v.oneOf("slack.policy", s.Policy, "mention", "auto", "off")
	}
	v.channels("slack.channels", s.Channels)
	v.channelIDs("slack.channels", s.Channels, isSlackID, "a Slack channel ID such as C0123456789 (not a #name)")
	if !s.Enabled {
		return
	}
	if !s.BotToken.IsSet() {
		v.add("slack.enabled", "Slack is enabled but has no bot token: set "+EnvSlackBotToken+" or slack.bot_token_file")
	}
	if s.Mode == SlackSocket && !s.AppToken.IsSet() {
		v.add("slack.mode", "Slack socket mode needs an app-level token: set "+EnvSlackAppToken+" or slack.app_token_file")
	}
	if s.Mode == SlackHTTP && !s.SigningSecret.IsSet() {
		v.add("slack.mode", "Slack http mode needs the signing secret: set "+EnvSlackSigningSecret+" or slack.signing_secret_file")
	}
}

func (c *Config) validateStore(v *validator) {
	s := c.Store
	v.oneOf("store.driver", s.Driver, StoreSQLite, StorePostgres, StoreNone)
	if s.Driver == StorePostgres && !s.DSN.IsSet() {
		v.add("store.driver", "postgres needs a connection string: set store.dsn or "+EnvStoreDSN)
	}
	v.check(s.Retention >= 0, "store.retention", "must not be negative")
}

// validator collects problems.
type validator struct{ probs []Problem }

func (v *validator) add(key, msg string) {
	v.probs = append(v.probs, Problem{Key: key, Message: msg})
}

func (v *validator) check(ok bool, key, msg string) {
	if !ok {
		v.add(key, msg)
	}
}

func (v *validator) oneOf(key, val string, allowed ...string) {
	if !slices.Contains(allowed, val) {
		v.add(key, fmt.Sprintf("%q is not one of %v", val, allowed))
	}
}

func (v *validator) fraction(key string, f float64) {
	v.check(f >= 0 && f <= 1, key, fmt.Sprintf("%g is not between 0 and 1", f))
}

func (v *validator) rate(key string, r Rate) {
	v.check(r.PerMinute >= 0, key+".per_minute", "must not be negative")
	if r.PerMinute > 0 {
		v.check(r.Burst >= 1, key+".burst", "must be at least 1 when per_minute is set")
	}
}

func (v *validator) listen(key, addr string) {
	// Any host is accepted, "" included (all interfaces).
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		v.add(key, fmt.Sprintf("%q is not host:port", addr))
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.add(key, fmt.Sprintf("%q has an invalid port", addr))
	}
}

func (v *validator) url(key, raw string, schemes ...string) {
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		v.add(key, fmt.Sprintf("%q is not an absolute %v URL", raw, schemes))
	}
}

func (v *validator) ids(key string, ids []string, ok func(string) bool, what string) {
	for i, id := range ids {
		if !ok(id) {
			v.add(fmt.Sprintf("%s[%d]", key, i), fmt.Sprintf("%q is not %s", id, what))
		}
	}
}

func (v *validator) channelIDs(key string, ch map[string]string, ok func(string) bool, what string) {
	for _, id := range slices.Sorted(maps.Keys(ch)) {
		if !ok(id) {
			v.add(key+"."+id, fmt.Sprintf("not %s", what))
		}
	}
}

// isSnowflake reports whether s looks like a Discord ID.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isSlackID reports whether s looks like a Slack conversation ID.
func isSlackID(s string) bool {
	if len(s) < 2 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

func (v *validator) channels(key string, ch map[string]string) {
	for _, id := range slices.Sorted(maps.Keys(ch)) {
		v.oneOf(key+"."+id, ch[id], "mention", "auto", "off")
	}
}

// Warnings returns what is valid but probably not what was meant, such as
// auto channels on Discord without the message content intent (Discord then
// delivers un-mentioned messages with empty text).
func (c *Config) Warnings() []Problem {
	var w []Problem
	add := func(key, msg string) {
		w = append(w, Problem{File: c.Path, Line: c.lines[key], Key: key, Message: msg})
	}
	if c.Discord.Enabled && !c.Discord.MessageContent && discordUsesAuto(c) {
		add("discord.message_content", "auto channels are configured but the message content intent is off: "+
			"espbot will only answer mentions, DMs and /faq there (enable the intent in the Developer Portal and set message_content: true)")
	}
	if host, _, err := net.SplitHostPort(c.HTTP.Listen); err == nil && !isLoopback(host) {
		add("http.listen", "listening beyond loopback: /metrics and /v1/ask are reachable from the network; put a reverse proxy with access control in front")
	}
	if c.Store.Driver == StoreSQLite && c.Store.Path == "" {
		add("store.path", "nowhere to keep the SQLite store (no configuration file, XDG_STATE_HOME or HOME): nothing is recorded; set store.path, or store.driver: none")
	}
	if c.dsnInFile && dsnHasPassword(c.Store.DSN.Reveal()) {
		add("store.dsn", "the connection string holds a password: prefer "+EnvStoreDSN)
	}
	return w
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func discordUsesAuto(c *Config) bool {
	if c.Discord.Policy == "auto" || (c.Discord.Policy == "" && c.Policy.Default == "auto") {
		return true
	}
	for _, p := range c.Discord.Channels {
		if p == "auto" {
			return true
		}
	}
	return false
}

func dsnHasPassword(dsn string) bool {
	u, err := url.Parse(dsn)
	if err == nil && u.User != nil {
		_, ok := u.User.Password()
		return ok
	}
	return strings.Contains(dsn, "password=")
}
