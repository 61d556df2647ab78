package discord

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// DefaultAPIURL is Discord's REST API base URL, as discordgo uses it.
const DefaultAPIURL = "https://discord.com/api/v9"

// Config configures the Discord adapter.
type Config struct {
	// Token is the bot token (with or without the "Bot " prefix).
	Token string
	// APIURL is the REST API base URL ("" for Discord's). Another value
	// points the adapter at a Discord-compatible server, or a test fake: it
	// is applied by the session's HTTP client, and the gateway address is
	// whatever that server's GET /gateway returns.
	APIURL string
	// Guilds is an allow-list of guild IDs; empty allows every guild. DMs
	// are always allowed.
	Guilds []string
	// CommandGuilds registers /faq in these guilds only (updates are
	// instant); empty registers it globally.
	CommandGuilds []string
	// Ephemeral makes slash command replies visible only to the asker.
	Ephemeral bool
	// MessageContent says the privileged message content intent is enabled
	// for the application. It is requested only when a channel uses the
	// auto policy, which needs it to read un-mentioned messages.
	MessageContent bool
	// ShutdownGrace bounds how long replies in flight may take to finish
	// at shutdown (0: 5 seconds).
	ShutdownGrace time.Duration
	// RequestTimeout bounds each REST request (0: 20 seconds).
	RequestTimeout time.Duration
	// StartTimeout bounds start-up, from the first request to the first
	// READY (0: 2 minutes): failures in between are retried with backoff.
	StartTimeout time.Duration
	// Shards is the total shard count; 0 uses the count GET /gateway/bot
	// recommends (needed from 2,500 guilds on).
	Shards int
	// ShardIDs are the shards this process runs (empty: all), so that
	// several processes can share the shards of one bot.
	ShardIDs []int
}

func (c Config) startTimeout() time.Duration {
	if c.StartTimeout > 0 {
		return c.StartTimeout
	}
	return 2 * time.Minute
}

// baseIntents are always requested: guild and channel events (for threads
// and forums), guild messages and direct messages. Without the message
// content intent, mentions and DMs still carry their text.
const baseIntents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// intents returns the gateway intents for a bot whose channels use auto
// (usesAuto) or not. The privileged message content intent is requested only
// when it is both needed and enabled: requesting it when the application
// lacks it makes Discord close the gateway with 4014.
func (c Config) intents(usesAuto bool) discordgo.Intent {
	if usesAuto && c.MessageContent {
		return baseIntents | discordgo.IntentsMessageContent
	}
	return baseIntents
}

func (c Config) validate() error {
	if strings.TrimSpace(strings.TrimPrefix(c.Token, "Bot ")) == "" {
		return errors.New("no token (set ESPBOT_DISCORD_TOKEN)")
	}
	if c.Shards < 0 {
		return fmt.Errorf("shards %d is negative", c.Shards)
	}
	if c.APIURL == "" {
		return nil
	}
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("api_url %q is not an http(s) URL", c.APIURL)
	}
	return nil
}

func (c Config) botToken() string {
	t := strings.TrimSpace(c.Token)
	if strings.HasPrefix(t, "Bot ") {
		return t
	}
	return "Bot " + t
}

// rewriteTransport sends requests meant for Discord's API to another base
// URL. discordgo computes its endpoints from package variables at start-up;
// rewriting in the HTTP client keeps them untouched, so several sessions
// (tests in parallel) can each talk to their own server.
type rewriteTransport struct {
	from string   // discordgo.EndpointAPI, with trailing slash
	to   *url.URL // the configured base URL
	next http.RoundTripper
}

// RoundTrip rewrites requests under from to the configured base URL.
func (t rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(req.URL.String(), t.from)
	if !ok {
		return t.next.RoundTrip(req)
	}
	target, err := url.Parse(strings.TrimSuffix(t.to.String(), "/") + "/" + rest)
	if err != nil {
		return nil, fmt.Errorf("rewrite %s: %w", req.URL.Path, err)
	}
	r := req.Clone(req.Context())
	r.URL = target
	r.Host = target.Host
	return t.next.RoundTrip(r)
}

// httpClient builds the session's HTTP client on its own transport, so that
// shutting down can close its idle connections (no goroutines left behind).
func (c Config) httpClient() (*http.Client, *http.Transport) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	timeout := c.RequestTimeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	client := &http.Client{Timeout: timeout, Transport: tr}
	if c.APIURL != "" && strings.TrimSuffix(c.APIURL, "/") != DefaultAPIURL {
		to, _ := url.Parse(c.APIURL) // validated
		client.Transport = rewriteTransport{from: discordgo.EndpointAPI, to: to, next: tr}
	}
	return client, tr
}
