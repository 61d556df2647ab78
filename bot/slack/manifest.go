package slack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Paths of the HTTP mode endpoints, as Mount registers them.
const (
	PathEvents       = "/slack/events"
	PathCommands     = "/slack/commands"
	PathInteractions = "/slack/interactions"
)

// slashCommand is the command the manifest declares; the adapter answers
// whatever command Slack sends it.
const slashCommand = "/faq"

// botEvents are the Events API subscriptions the adapter handles
// (handleEventsAPI), each with the bot scope it needs. message.channels and
// message.groups serve auto channels; the history scopes also let postOnce
// look for a reply before posting it again.
func botEvents() []struct{ event, scope string } {
	return []struct{ event, scope string }{
		{"app_mention", "app_mentions:read"},
		{"message.im", "im:history"},
		{"message.mpim", "mpim:history"},
		{"message.channels", "channels:history"},
		{"message.groups", "groups:history"},
	}
}

// ManifestOptions choose the app's delivery mode: Socket Mode, or HTTP
// with request URLs under BaseURL (https://bot.example.com).
type ManifestOptions struct {
	Mode    Mode
	BaseURL string
}

// Manifest is a Slack app manifest (https://docs.slack.dev/reference/app-manifest)
// for espbot: the scopes, events, command, shortcut and interactivity the
// adapter uses, and nothing more. Marshal it as YAML or JSON.
type Manifest struct {
	Metadata    manifestMetadata `yaml:"_metadata" json:"_metadata"`
	Display     manifestDisplay  `yaml:"display_information" json:"display_information"`
	Features    manifestFeatures `yaml:"features" json:"features"`
	OAuthConfig manifestOAuth    `yaml:"oauth_config" json:"oauth_config"`
	Settings    manifestSettings `yaml:"settings" json:"settings"`
}

type manifestMetadata struct {
	MajorVersion int `yaml:"major_version" json:"major_version"`
	MinorVersion int `yaml:"minor_version" json:"minor_version"`
}

type manifestDisplay struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description"`
}

type manifestFeatures struct {
	AppHome       manifestAppHome        `yaml:"app_home" json:"app_home"`
	BotUser       manifestBotUser        `yaml:"bot_user" json:"bot_user"`
	SlashCommands []manifestSlashCommand `yaml:"slash_commands" json:"slash_commands"`
	Shortcuts     []manifestShortcut     `yaml:"shortcuts" json:"shortcuts"`
}

type manifestAppHome struct {
	HomeTab          bool `yaml:"home_tab_enabled" json:"home_tab_enabled"`
	MessagesTab      bool `yaml:"messages_tab_enabled" json:"messages_tab_enabled"`
	MessagesReadOnly bool `yaml:"messages_tab_read_only_enabled" json:"messages_tab_read_only_enabled"`
}

type manifestBotUser struct {
	DisplayName  string `yaml:"display_name" json:"display_name"`
	AlwaysOnline bool   `yaml:"always_online" json:"always_online"`
}

type manifestSlashCommand struct {
	Command      string `yaml:"command" json:"command"`
	URL          string `yaml:"url,omitempty" json:"url,omitempty"`
	Description  string `yaml:"description" json:"description"`
	UsageHint    string `yaml:"usage_hint" json:"usage_hint"`
	ShouldEscape bool   `yaml:"should_escape" json:"should_escape"`
}

type manifestShortcut struct {
	Name        string `yaml:"name" json:"name"`
	Type        string `yaml:"type" json:"type"`
	CallbackID  string `yaml:"callback_id" json:"callback_id"`
	Description string `yaml:"description" json:"description"`
}

type manifestOAuth struct {
	Scopes struct {
		Bot []string `yaml:"bot" json:"bot"`
	} `yaml:"scopes" json:"scopes"`
}

type manifestSettings struct {
	EventSubscriptions struct {
		RequestURL string   `yaml:"request_url,omitempty" json:"request_url,omitempty"`
		BotEvents  []string `yaml:"bot_events" json:"bot_events"`
	} `yaml:"event_subscriptions" json:"event_subscriptions"`
	Interactivity struct {
		IsEnabled  bool   `yaml:"is_enabled" json:"is_enabled"`
		RequestURL string `yaml:"request_url,omitempty" json:"request_url,omitempty"`
	} `yaml:"interactivity" json:"interactivity"`
	OrgDeployEnabled     bool `yaml:"org_deploy_enabled" json:"org_deploy_enabled"`
	SocketModeEnabled    bool `yaml:"socket_mode_enabled" json:"socket_mode_enabled"`
	TokenRotationEnabled bool `yaml:"token_rotation_enabled" json:"token_rotation_enabled"`
}

// NewManifest builds the manifest for o. HTTP mode needs an https BaseURL
// (Slack calls only https request URLs); Socket Mode takes none.
func NewManifest(o ManifestOptions) (Manifest, error) {
	base, err := manifestBase(o)
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	m.Metadata = manifestMetadata{MajorVersion: 1, MinorVersion: 1}
	m.Display = manifestDisplay{Name: "espbot",
		Description: "Answers ESP32/ESP8266 networking questions from Espressif's FAQ."}
	m.Features.AppHome = manifestAppHome{MessagesTab: true} // people DM the bot
	m.Features.BotUser = manifestBotUser{DisplayName: "espbot", AlwaysOnline: true}
	m.Features.SlashCommands = []manifestSlashCommand{{Command: slashCommand, URL: join(base, PathCommands),
		Description: "Ask the ESP32/ESP8266 FAQ", UsageHint: "[question] | help | list [category] | show ID | search WORDS"}}
	m.Features.Shortcuts = []manifestShortcut{{Name: "Ask espbot about this message", Type: "message",
		CallbackID: shortcutAsk, Description: "Looks the message up in the FAQ and answers you privately"}}
	m.OAuthConfig.Scopes.Bot = []string{"chat:write", "commands"}
	for _, e := range botEvents() {
		m.OAuthConfig.Scopes.Bot = append(m.OAuthConfig.Scopes.Bot, e.scope)
		m.Settings.EventSubscriptions.BotEvents = append(m.Settings.EventSubscriptions.BotEvents, e.event)
	}
	m.Settings.EventSubscriptions.RequestURL = join(base, PathEvents)
	m.Settings.Interactivity.IsEnabled = true
	m.Settings.Interactivity.RequestURL = join(base, PathInteractions)
	m.Settings.SocketModeEnabled = o.Mode == "" || o.Mode == ModeSocket
	return m, nil
}

// manifestBase checks o and returns the base of request URLs ("" in
// Socket Mode).
func manifestBase(o ManifestOptions) (string, error) {
	switch o.Mode {
	case "", ModeSocket:
		if o.BaseURL != "" {
			return "", errors.New("a base URL is only for http mode (Socket Mode needs no public URL)")
		}
		return "", nil
	case ModeHTTP:
	default:
		return "", fmt.Errorf("unknown mode %q (want socket or http)", o.Mode)
	}
	u, err := url.Parse(o.BaseURL)
	switch {
	case o.BaseURL == "":
		return "", errors.New("http mode needs the base URL where espbot serves /slack/events")
	case err != nil || u.Host == "":
		return "", fmt.Errorf("base URL %q is not an absolute URL", o.BaseURL)
	case u.Scheme != "https":
		return "", fmt.Errorf("base URL %q must be https: Slack only calls https request URLs", o.BaseURL)
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("base URL %q must not have a query or fragment", o.BaseURL)
	}
	return strings.TrimRight(o.BaseURL, "/"), nil
}

func join(base, path string) string {
	if base == "" {
		return ""
	}
	return base + path
}
