package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) Env {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return Env{
		Getenv: func(k string) string { return m[k] },
		ReadFile: func(name string) ([]byte, error) {
			if v, ok := m["file:"+name]; ok {
				return []byte(v), nil
			}
			return nil, os.ErrNotExist
		},
	}
}

// problems returns the problems of err as strings, failing when err is not
// a *Error.
func problems(tb testing.TB, err error) []string {
	tb.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		tb.Fatalf("error %v is not a *config.Error", err)
	}
	var out []string
	for _, p := range ce.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestParse_Defaults(t *testing.T) {
	t.Parallel()
	c, err := Parse("", nil, env())
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Listen != "127.0.0.1:8080" || c.Policy.Default != "mention" || c.Slack.Mode != "socket" || c.Log.Format != "text" {
		t.Errorf("defaults: %+v", c)
	}
	if !c.Slack.Ephemeral || c.Discord.Ephemeral {
		t.Errorf("ephemeral defaults: slack %v discord %v", c.Slack.Ephemeral, c.Discord.Ephemeral)
	}
}

func TestParse_Values(t *testing.T) {
	t.Parallel()
	const file = `
http:
  listen: 127.0.0.1:0
knowledge:
  paths: [faq, /abs/faq.rst]
  watch: true
  debounce: 2s
matcher:
  answer_threshold: 0.4
  auto_threshold: 0.8
  lexicon: ["lag / latency"]
log: {level: debug, format: json}
policy: {default: off}
cooldown:
  user: {per_minute: 2, burst: 1}
discord:
  enabled: true
  token_file: secrets/discord
  guilds: ["1"]
  channels: {"42": auto}
  message_content: true
slack:
  enabled: true
  mode: http
  channels: {C1: off}
store:
  driver: sqlite
  retention: 30d
`
	c, err := Parse("/etc/espbot/espbot.yaml", []byte(file), env(
		"file:/etc/espbot/secrets/discord", "disc-token\n",
		EnvSlackBotToken, "xoxb-1",
		EnvSlackSigningSecret, "sign",
	))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", c.HTTP.Listen, "127.0.0.1:0"},
		{"paths", fmt.Sprint(c.Knowledge.Paths), "[/etc/espbot/faq /abs/faq.rst]"},
		{"watch", c.Knowledge.Watch, true},
		{"debounce", c.Knowledge.Debounce.D(), 2 * time.Second},
		{"answer", c.Matcher.AnswerThreshold, 0.4},
		{"lexicon", fmt.Sprint(c.Matcher.Lexicon), "[lag / latency]"},
		{"log", c.Log, Log{Level: "debug", Format: "json"}},
		{"policy", c.Policy.Default, "off"},
		{"user burst", c.Cooldown.User, Rate{PerMinute: 2, Burst: 1}},
		{"channel default kept", c.Cooldown.Channel, Default().Cooldown.Channel},
		{"discord token", c.Discord.Token.Reveal(), "disc-token"},
		{"discord channels", c.Discord.Channels["42"], "auto"},
		{"slack signing", c.Slack.SigningSecret.Reveal(), "sign"},
		{"slack channels", c.Slack.Channels["C1"], "off"},
		{"store path", c.Store.Path, "/etc/espbot/espbot.db"},
		{"retention", c.Store.Retention.D(), 30 * 24 * time.Hour},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestParse_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		env  Env
		want []string // every problem, in order
	}{
		{
			name: "unknown key names key and line",
			file: "http:\n  listen: 127.0.0.1:1\ndiscord:\n  chanels: {}\n",
			want: []string{`f.yaml:4: discord.chanels: unknown key (did you mean "channels"?)`},
		},
		{
			name: "unknown top-level key",
			file: "log:\n  level: info\nbogus: 1\n",
			want: []string{`f.yaml:3: bogus: unknown key`},
		},
		{
			name: "bad type",
			file: "matcher:\n  auto_threshold: high\n",
			want: []string{`f.yaml:2: cannot use "high" here: want a number`},
		},
		{
			name: "bad duration",
			file: "knowledge:\n  debounce: soon\n",
			want: []string{`f.yaml:2: invalid duration "soon" (use e.g. 500ms, 10s, 12h or 30d)`},
		},
		{
			name: "bad values all reported with lines",
			file: "log:\n  format: xml\n  level: loud\npolicy:\n  default: always\nslack:\n  mode: rtm\n  channels:\n    C1: sometimes\n",
			want: []string{
				`f.yaml:3: log.level: "loud" is not one of [debug info warn error]`,
				`f.yaml:2: log.format: "xml" is not one of [text json]`,
				`f.yaml:5: policy.default: "always" is not one of [mention auto off]`,
				`f.yaml:7: slack.mode: "rtm" is not one of [socket http]`,
				`f.yaml:9: slack.channels.C1: "sometimes" is not one of [mention auto off]`,
			},
		},
		{
			name: "thresholds",
			file: "matcher:\n  answer_threshold: 0.6\n  auto_threshold: 0.5\n",
			want: []string{`f.yaml:3: matcher.auto_threshold: 0.5 is below answer_threshold 0.6: auto replies need more confidence, not less`},
		},
		{
			name: "listen",
			file: "http:\n  listen: localhost\n",
			want: []string{`f.yaml:2: http.listen: "localhost" is not host:port`},
		},
		{
			name: "missing secrets for enabled adapters",
			file: "discord:\n  enabled: true\nslack:\n  enabled: true\n",
			want: []string{
				"f.yaml:2: discord.enabled: Discord is enabled but has no token: set ESPBOT_DISCORD_TOKEN or discord.token_file",
				"f.yaml:4: slack.enabled: Slack is enabled but has no bot token: set ESPBOT_SLACK_BOT_TOKEN or slack.bot_token_file",
				"f.yaml: slack.mode: Slack socket mode needs an app-level token: set ESPBOT_SLACK_APP_TOKEN or slack.app_token_file",
			},
		},
		{
			name: "http mode needs the signing secret",
			file: "slack:\n  enabled: true\n  mode: http\n",
			env:  env(EnvSlackBotToken, "xoxb"),
			want: []string{"f.yaml:3: slack.mode: Slack http mode needs the signing secret: set ESPBOT_SLACK_SIGNING_SECRET or slack.signing_secret_file"},
		},
		{
			name: "unreadable secret file",
			file: "discord:\n  token_file: nope\n",
			want: []string{"f.yaml:2: discord.token_file: cannot read secret file: file does not exist"},
		},
		{
			name: "bad environment value",
			file: "",
			env:  env("ESPBOT_DISCORD_ENABLED", "yes please", "ESPBOT_LOG_FORMAT", "xml"),
			want: []string{
				`ESPBOT_DISCORD_ENABLED: want true or false, got "yes please"`,
				`ESPBOT_LOG_FORMAT: "xml" is not one of [text json]`,
			},
		},
		{
			name: "an environment value is named by its variable, not the line it overrides",
			file: "log:\n  level: info\nhttp:\n  listen: 127.0.0.1:8080\n",
			env:  env("ESPBOT_LOG_LEVEL", "verbose", "ESPBOT_HTTP_LISTEN", "nope", "ESPBOT_KNOWLEDGE_PATHS", "a"+string(filepath.ListSeparator)),
			want: []string{
				`ESPBOT_HTTP_LISTEN: "nope" is not host:port`,
				`ESPBOT_KNOWLEDGE_PATHS: [1]: must not be empty`,
				`ESPBOT_LOG_LEVEL: "verbose" is not one of [debug info warn error]`,
			},
		},
		{
			name: "every invalid environment override is reported",
			env: env("ESPBOT_KNOWLEDGE_WATCH", "perhaps", "ESPBOT_LOG_LEVEL", "verbose", "ESPBOT_LOG_FORMAT", "xml",
				"ESPBOT_POLICY_DEFAULT", "loud", "ESPBOT_DISCORD_ENABLED", "yes", "ESPBOT_DISCORD_API_URL", "ftp://x",
				"ESPBOT_DISCORD_SHARDS", "-1", "ESPBOT_DISCORD_SHARD_IDS", "a", "ESPBOT_SLACK_ENABLED", "maybe",
				"ESPBOT_SLACK_MODE", "pigeon", "ESPBOT_SLACK_API_URL", ":::", "ESPBOT_STORE_DRIVER", "mongo"),
			want: []string{
				`ESPBOT_KNOWLEDGE_WATCH: want true or false, got "perhaps"`,
				`ESPBOT_DISCORD_ENABLED: want true or false, got "yes"`,
				`ESPBOT_DISCORD_SHARDS: invalid shard count "-1" (use auto or a number from 1)`,
				`ESPBOT_DISCORD_SHARD_IDS: want shard IDs such as 0,2, got "a"`,
				`ESPBOT_SLACK_ENABLED: want true or false, got "maybe"`,
				`ESPBOT_LOG_LEVEL: "verbose" is not one of [debug info warn error]`,
				`ESPBOT_LOG_FORMAT: "xml" is not one of [text json]`,
				`ESPBOT_POLICY_DEFAULT: "loud" is not one of [mention auto off]`,
				`ESPBOT_DISCORD_API_URL: "ftp://x" is not an absolute [http https] URL`,
				`ESPBOT_SLACK_MODE: "pigeon" is not one of [socket http]`,
				`ESPBOT_SLACK_API_URL: ":::" is not an absolute [http https] URL`,
				`ESPBOT_STORE_DRIVER: "mongo" is not one of [sqlite postgres none]`,
			},
		},
		{
			name: "syntax error",
			file: "http:\n  listen: [\n",
			want: []string{"f.yaml:2: invalid YAML: did not find expected node content"},
		},
		{
			name: "not a mapping",
			file: "- a\n- b\n",
			want: []string{"f.yaml:1: the configuration must be a mapping of keys"},
		},
		{
			name: "channel IDs",
			file: "discord:\n  guilds: [\"my server\"]\n  channels:\n    \"#help\": auto\nslack:\n  channels:\n    general: auto\n",
			want: []string{
				`f.yaml:4: discord.channels.#help: not a Discord channel ID (a number; enable Developer Mode and use Copy Channel ID)`,
				`f.yaml:2: discord.guilds[0]: "my server" is not a Discord guild ID (a number)`,
				`f.yaml:7: slack.channels.general: not a Slack channel ID such as C0123456789 (not a #name)`,
			},
		},
		{
			name: "shards",
			file: "discord:\n  shards: 2\n  shard_ids: [0, 2, 0, -1]\n",
			want: []string{
				"f.yaml:3: discord.shard_ids[1]: 2 is not below discord.shards (2): shard IDs go from 0 to shards-1",
				"f.yaml:3: discord.shard_ids[2]: shard 0 is listed twice",
				"f.yaml:3: discord.shard_ids[3]: -1 is negative: shard IDs count from 0",
			},
		},
		{
			name: "shard count",
			file: "discord:\n  shards: some\n",
			want: []string{`f.yaml:2: invalid shard count "some" (use auto or a number from 1)`},
		},
		{
			name: "postgres without dsn",
			file: "store:\n  driver: postgres\n",
			want: []string{"f.yaml:2: store.driver: postgres needs a connection string: set store.dsn or ESPBOT_STORE_DSN"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := tt.env
			if e.Getenv == nil {
				e = env()
			}
			_, err := Parse("f.yaml", []byte(tt.file), e)
			got := problems(t, err)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParse_EnvOverrides(t *testing.T) {
	t.Parallel()
	c, err := Parse("dir/f.yaml", []byte("http:\n  listen: 127.0.0.1:1\ndiscord:\n  enabled: false\n  token_file: tok\n"), env(
		"ESPBOT_HTTP_LISTEN", "127.0.0.1:2",
		"ESPBOT_DISCORD_ENABLED", "true",
		EnvDiscordToken, "from-env",
		"file:dir/tok", "from-file",
		"ESPBOT_KNOWLEDGE_PATHS", "a"+string(filepath.ListSeparator)+"b",
	))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Listen != "127.0.0.1:2" || !c.Discord.Enabled {
		t.Errorf("overrides not applied: %s %v", c.HTTP.Listen, c.Discord.Enabled)
	}
	if c.Discord.Token.Reveal() != "from-env" {
		t.Errorf("the environment must win over token_file, got %q", c.Discord.Token.Reveal())
	}
	if fmt.Sprint(c.Knowledge.Paths) != "[a b]" {
		t.Errorf("paths from the environment stay relative to the working folder: %v", c.Knowledge.Paths)
	}
}

func TestConfig_SecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	c, err := Parse("f.yaml", []byte("slack:\n  enabled: true\nstore:\n  driver: postgres\n"), env(
		EnvSlackBotToken, "xoxb-SECRET1", EnvSlackAppToken, "xapp-SECRET2", EnvStoreDSN, "postgres://u:SECRET3@h/db",
	))
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c, "slack", c.Slack, "token", c.Slack.BotToken)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "config", c, "slack", c.Slack)
	for _, out := range []string{c.String(), fmt.Sprintf("%v %+v %#v", c, *c, *c), logged.String()} {
		if strings.Contains(out, "SECRET") {
			t.Errorf("secret printed:\n%s", out)
		}
	}
	if !strings.Contains(c.String(), "dsn: '[redacted]'") {
		t.Errorf("String should show the DSN is set but redacted:\n%s", c)
	}
}

func TestLoad_ExampleConfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "espbot.example.yaml")
	c, err := Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatalf("the example configuration must load and validate: %v", err)
	}
	// The example documents the defaults: apart from the illustrative
	// channels and lexicon, and the store file resolved beside it, it must
	// agree with Default().
	d := Default()
	d.Path = c.Path
	d.Discord.Channels, d.Slack.Channels = c.Discord.Channels, c.Slack.Channels
	d.Matcher.Lexicon = c.Matcher.Lexicon
	d.Store.Path = c.Store.Path
	d.Knowledge.Paths = c.Knowledge.Paths
	d.Discord.Guilds, d.Discord.CommandGuilds = c.Discord.Guilds, c.Discord.CommandGuilds
	if c.String() != d.String() {
		t.Errorf("example and defaults differ:\nexample:\n%s\ndefaults:\n%s", c, d)
	}
	// Every key the configuration knows is documented in the example.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"token_file", "bot_token_file", "app_token_file", "signing_secret_file", "dsn"} {
		if !strings.Contains(string(data), key+":") {
			t.Errorf("example does not mention %s", key)
		}
	}
}

func TestLoad_MissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want not exist", err)
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"500ms", 500 * time.Millisecond, true},
		{"12h", 12 * time.Hour, true},
		{"30d", 30 * 24 * time.Hour, true},
		{"0", 0, true},
		{"-1d", 0, false},
		{"xd", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || got.D() != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestConfig_Warnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		env  Env
		want []string
	}{
		{"none", "discord:\n  channels: {\"1\": auto}\n", env(), nil},
		{"auto without message content", "discord:\n  enabled: true\n  channels: {\"1\": auto}\n", env(EnvDiscordToken, "t"),
			[]string{"f.yaml: discord.message_content: auto channels are configured but the message content intent is off"}},
		{"auto by default", "policy: {default: auto}\ndiscord:\n  enabled: true\n  message_content: false\n", env(EnvDiscordToken, "t"),
			[]string{"f.yaml:4: discord.message_content: auto channels"}},
		{"auto with message content", "discord:\n  enabled: true\n  message_content: true\n  channels: {\"1\": auto}\n", env(EnvDiscordToken, "t"), nil},
		{"password in the file", "store:\n  driver: postgres\n  dsn: postgres://u:pw@h/db\n", env(),
			[]string{"f.yaml:3: store.dsn: the connection string holds a password: prefer ESPBOT_STORE_DSN"}},
		{"all interfaces", "http:\n  listen: :8080\n", env(), []string{"f.yaml:2: http.listen: listening beyond loopback"}},
		{"localhost", "http:\n  listen: localhost:8080\n", env(), nil},
		{"ipv6 loopback", "http:\n  listen: \"[::1]:8080\"\n", env(), nil},
		{"password from the environment", "store:\n  driver: postgres\n", env(EnvStoreDSN, "postgres://u:pw@h/db"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse("f.yaml", []byte(tt.file), tt.env)
			if err != nil {
				t.Fatal(err)
			}
			got := c.Warnings()
			if len(got) != len(tt.want) {
				t.Fatalf("warnings %v, want %v", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i].String(), tt.want[i]) {
					t.Errorf("warning %q, want prefix %q", got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParse_Shards(t *testing.T) {
	t.Parallel()
	c, err := Parse("f.yaml", []byte("discord:\n  shards: auto\n  shard_ids: [1]\n"), env("ESPBOT_DISCORD_SHARD_IDS", "0, 2", "ESPBOT_DISCORD_SHARDS", "4"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Discord.Shards != 4 || len(c.Discord.ShardIDs) != 2 || c.Discord.ShardIDs[1] != 2 {
		t.Errorf("shards %d ids %v, want 4 and [0 2] from the environment", c.Discord.Shards, c.Discord.ShardIDs)
	}
	c, err = Parse("f.yaml", []byte("discord:\n  shards: auto\n"), env())
	if err != nil || c.Discord.Shards != 0 || !strings.Contains(c.String(), "shards: auto") {
		t.Errorf("auto: %v, %d", err, c.Discord.Shards)
	}
}

// TestParse_DefaultStore: recorded by default, beside the configuration
// file or in the user's state folder; none turns it off.
func TestParse_DefaultStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, yaml string
		env              Env
		driver, path     string
		warn             string
	}{
		{"beside the file", "/etc/espbot/espbot.yaml", "", env(), StoreSQLite, "/etc/espbot/espbot.db", ""},
		{"an explicit empty driver", "/etc/espbot/espbot.yaml", "store:\n  driver: \"\"\n", env(), StoreSQLite, "/etc/espbot/espbot.db", ""},
		{"XDG_STATE_HOME", "", "", env("XDG_STATE_HOME", "/var/state", "HOME", "/home/u"), StoreSQLite, "/var/state/espbot/espbot.db", ""},
		{"HOME", "", "", env("HOME", "/home/u"), StoreSQLite, "/home/u/.local/state/espbot/espbot.db", ""},
		{"nowhere", "", "", env(), StoreSQLite, "", "nothing is recorded"},
		{"none", "/etc/espbot/espbot.yaml", "store:\n  driver: none\n", env(), StoreNone, "", ""},
		{"the environment", "", "", env("ESPBOT_STORE_DRIVER", "none", "HOME", "/home/u"), StoreNone, "/home/u/.local/state/espbot/espbot.db", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tt.file, []byte(tt.yaml), tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if tt.driver == StoreNone {
				tt.path = c.Store.Path // irrelevant
			}
			if c.Store.Driver != tt.driver || c.Store.Path != tt.path || c.Store.Retention.D() != 90*24*time.Hour {
				t.Errorf("store %+v, want %s at %q kept 90 days", c.Store, tt.driver, tt.path)
			}
			if rec := c.Store.Recording(); rec != (tt.driver != StoreNone && tt.path != "") {
				t.Errorf("Recording = %v", rec)
			}
			var warns []string
			for _, w := range c.Warnings() {
				warns = append(warns, w.String())
			}
			if got := strings.Join(warns, "\n"); (tt.warn == "") != (got == "") || !strings.Contains(got, tt.warn) {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
		})
	}
}
