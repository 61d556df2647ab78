// Package config reads espbot's configuration: one YAML file plus
// environment overrides, validated with clear errors.
//
// Secrets (chat tokens, the Slack signing secret) never come from the YAML
// file itself: only from the environment or from files named by *_file keys.
// They are held in Secret values, which print as "[redacted]".
//
// The package reads no process state by itself: the environment is passed in
// as a getenv function, so tests and the CLI control it.
package config

import (
	"fmt"
	"log/slog"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is espbot's whole configuration.
type Config struct {
	// Path is the file the configuration was read from ("" for defaults).
	Path string `yaml:"-"`

	HTTP      HTTP      `yaml:"http"`
	Knowledge Knowledge `yaml:"knowledge"`
	Matcher   Matcher   `yaml:"matcher"`
	Log       Log       `yaml:"log"`
	Policy    Policy    `yaml:"policy"`
	Cooldown  Cooldown  `yaml:"cooldown"`
	Discord   Discord   `yaml:"discord"`
	Slack     Slack     `yaml:"slack"`
	Store     Store     `yaml:"store"`

	// dsnInFile is true when store.dsn came from the file, not the environment.
	dsnInFile bool
	// lines maps dotted keys to their line in the file, for messages.
	lines map[string]int
	// fromEnv maps the keys set by environment overrides to their
	// variable, so that problems with them name the variable.
	fromEnv map[string]string
}

// HTTP configures serve's HTTP server (health, metrics, API, Slack HTTP mode).
type HTTP struct {
	// Listen is the host:port to listen on. The default is loopback only.
	Listen string `yaml:"listen"`
	// MaxBodyBytes limits request bodies of the API.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ShutdownTimeout bounds the graceful stop on SIGINT/SIGTERM.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// ReadTimeout, WriteTimeout and IdleTimeout bound reading a request,
	// writing a response and a keep-alive connection's wait for the next.
	ReadTimeout  Duration `yaml:"read_timeout"`
	WriteTimeout Duration `yaml:"write_timeout"`
	IdleTimeout  Duration `yaml:"idle_timeout"`
	// MaxConnections caps open connections; MaxInFlight caps requests being
	// handled (beyond: 503 with Retry-After; health checks are never shed).
	MaxConnections int `yaml:"max_connections"`
	MaxInFlight    int `yaml:"max_in_flight"`
	// ClientHeader names the header identifying API clients behind a
	// reverse proxy (e.g. X-Forwarded-For); "" uses the peer address.
	ClientHeader string `yaml:"client_header"`
	// RateLimit limits questions to POST /v1/ask per client.
	RateLimit Rate `yaml:"rate_limit"`
}

// Knowledge says where the FAQ pages are.
type Knowledge struct {
	// Paths are .rst files or folders; empty means the embedded FAQ.
	// Relative paths are relative to the configuration file.
	Paths []string `yaml:"paths"`
	// Watch reloads the knowledge base when a file under Paths changes.
	Watch bool `yaml:"watch"`
	// Debounce is how long to wait for changes to settle before reloading.
	Debounce Duration `yaml:"debounce"`
	// BaseURL is the web site the pages are published on, for the link of
	// each answer; empty: Espressif's esp-faq site for the embedded page
	// and esp-faq checkouts, no link for other pages.
	BaseURL string `yaml:"base_url"`
}

// Matcher tunes answering.
type Matcher struct {
	// Model is a model file written by espbot train ("": the shipped one).
	Model string `yaml:"model"`
	// AnswerThreshold is the confidence from which a question is answered
	// (0: the model's).
	AnswerThreshold float64 `yaml:"answer_threshold"`
	// AutoThreshold is the higher confidence needed to answer un-mentioned
	// questions in auto channels (0: the model's).
	AutoThreshold float64 `yaml:"auto_threshold"`
	// Lexicon adds equivalence lines ("lag / latency / delay").
	Lexicon []string `yaml:"lexicon"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text, json
}

// Policy holds the reply policy defaults; per-channel overrides live under
// discord.channels and slack.channels.
type Policy struct {
	// Default applies to channels without an override: mention, auto or off.
	Default string `yaml:"default"`
}

// Cooldown limits how often one user, and one channel, get replies.
type Cooldown struct {
	User    Rate `yaml:"user"`
	Channel Rate `yaml:"channel"`
}

// Rate is a token bucket: PerMinute tokens a minute, at most Burst at once.
// PerMinute 0 disables the limit.
type Rate struct {
	PerMinute float64 `yaml:"per_minute"`
	Burst     int     `yaml:"burst"`
}

// Discord configures the Discord adapter.
type Discord struct {
	Enabled bool `yaml:"enabled"`
	// APIURL is Discord's API base URL, or a Discord-compatible server's.
	APIURL string `yaml:"api_url"`
	// Token comes from ESPBOT_DISCORD_TOKEN or TokenFile.
	Token     Secret `yaml:"-"`
	TokenFile string `yaml:"token_file"`
	// Guilds is an allow-list of guild IDs (empty: every guild).
	Guilds []string `yaml:"guilds"`
	// CommandGuilds registers the slash command in these guilds only (fast
	// updates); empty registers it globally.
	CommandGuilds []string `yaml:"command_guilds"`
	// Ephemeral makes slash command replies visible only to the asker.
	Ephemeral bool `yaml:"ephemeral"`
	// Policy overrides policy.default for Discord channels ("" = inherit).
	Policy string `yaml:"policy"`
	// Channels maps channel IDs to mention, auto or off.
	Channels map[string]string `yaml:"channels"`
	// MessageContent says whether the privileged message content intent is
	// enabled for the application (needed by auto channels).
	MessageContent bool `yaml:"message_content"`
	// Shards is the total shard count: auto (Discord's recommendation,
	// needed from 2,500 guilds on) or a number.
	Shards ShardCount `yaml:"shards"`
	// ShardIDs are the shards this process runs (empty: all), so that
	// several processes can split a bot's shards.
	ShardIDs []int `yaml:"shard_ids"`
}

// Slack modes.
const (
	SlackSocket = "socket"
	SlackHTTP   = "http"
)

// Slack configures the Slack adapter.
type Slack struct {
	Enabled bool `yaml:"enabled"`
	// Mode is socket (Socket Mode, no public URL) or http (Events API on
	// serve's HTTP server).
	Mode string `yaml:"mode"`
	// APIURL is Slack's Web API base URL, or a Slack-compatible one.
	APIURL string `yaml:"api_url"`
	// BotToken (xoxb-) comes from ESPBOT_SLACK_BOT_TOKEN or BotTokenFile.
	BotToken     Secret `yaml:"-"`
	BotTokenFile string `yaml:"bot_token_file"`
	// AppToken (xapp-, socket mode) comes from ESPBOT_SLACK_APP_TOKEN or AppTokenFile.
	AppToken     Secret `yaml:"-"`
	AppTokenFile string `yaml:"app_token_file"`
	// SigningSecret (http mode) comes from ESPBOT_SLACK_SIGNING_SECRET or
	// SigningSecretFile.
	SigningSecret     Secret `yaml:"-"`
	SigningSecretFile string `yaml:"signing_secret_file"`
	// Ephemeral makes slash command replies visible only to the asker.
	Ephemeral bool `yaml:"ephemeral"`
	// Policy overrides policy.default for Slack channels ("" = inherit).
	Policy string `yaml:"policy"`
	// Channels maps channel IDs to mention, auto or off.
	Channels map[string]string `yaml:"channels"`
}

// Store drivers.
const (
	StoreSQLite   = "sqlite"
	StorePostgres = "postgres"
	StoreNone     = "none"
)

// Store configures where questions, feedback and the conversation state
// are kept.
type Store struct {
	// Driver is sqlite (the default), postgres, or none to keep nothing.
	Driver string `yaml:"driver"`
	// Path is the SQLite file (default espbot.db beside the configuration
	// file, or $XDG_STATE_HOME/espbot/espbot.db without one).
	Path string `yaml:"path"`
	// DSN is the PostgreSQL connection string; ESPBOT_STORE_DSN overrides it
	// (put passwords there, not in the file).
	DSN Secret `yaml:"dsn"`
	// Retention deletes rows older than this (0: keep everything).
	Retention Duration `yaml:"retention"`
	// RecordText stores question text; off keeps only decisions.
	RecordText bool `yaml:"record_text"`
}

// Recording reports whether a store is configured: a driver other than
// none, and for SQLite a place for its file.
func (s Store) Recording() bool {
	return s.Driver != StoreNone && s.Driver != "" && (s.Driver != StoreSQLite || s.Path != "")
}

// Default returns the configuration used when a key is not set.
func Default() *Config {
	return &Config{
		HTTP: HTTP{
			Listen:          "127.0.0.1:8080",
			MaxBodyBytes:    64 << 10,
			ShutdownTimeout: Duration(10 * time.Second),
			ReadTimeout:     Duration(15 * time.Second),
			WriteTimeout:    Duration(30 * time.Second),
			IdleTimeout:     Duration(60 * time.Second),
			MaxConnections:  512,
			MaxInFlight:     64,
			RateLimit:       Rate{PerMinute: 60, Burst: 20},
		},
		Knowledge: Knowledge{Debounce: Duration(500 * time.Millisecond)},
		Log:       Log{Level: "info", Format: "text"},
		Policy:    Policy{Default: "mention"},
		Cooldown: Cooldown{
			User:    Rate{PerMinute: 6, Burst: 3},
			Channel: Rate{PerMinute: 30, Burst: 10},
		},
		Discord: Discord{APIURL: "https://discord.com/api/v9"},
		Slack:   Slack{Mode: SlackSocket, APIURL: "https://slack.com/api/", Ephemeral: true},
		Store:   Store{Driver: StoreSQLite, Retention: Duration(90 * 24 * time.Hour), RecordText: true},
	}
}

// String returns the configuration as YAML with secrets redacted, for
// "config check" and debugging.
func (c *Config) String() string {
	out, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Sprintf("config: %v", err)
	}
	return string(out)
}

// LogValue summarises the configuration for slog without any secret.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("path", c.Path),
		slog.String("listen", c.HTTP.Listen),
		slog.Any("knowledge", c.Knowledge.Paths),
		slog.Bool("watch", c.Knowledge.Watch),
		slog.String("policy", c.Policy.Default),
		slog.Bool("discord", c.Discord.Enabled),
		slog.Bool("slack", c.Slack.Enabled),
		slog.String("slack_mode", c.Slack.Mode),
		slog.String("store", c.Store.Driver),
		slog.String("store_path", c.Store.Path),
	)
}
