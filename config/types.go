package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Secret is a token or password. It prints as "[redacted]" (fmt, slog,
// JSON, YAML) so a logged Config never leaks it; Reveal returns the value.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret itself, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString redacts the secret in %#v.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue redacts the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts the secret in JSON and YAML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Duration is a time.Duration written as "500ms", "10s", "12h" or, for
// retention periods, "30d".
type Duration time.Duration

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats the duration like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes the duration like time.Duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*d = v
	return nil
}

// ParseDuration parses a Go duration, also accepting whole days ("30d").
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid duration %q (use e.g. 500ms, 10s, 12h or 30d)", s)
		}
		return Duration(time.Duration(n) * 24 * time.Hour), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (use e.g. 500ms, 10s, 12h or 30d)", s)
	}
	return Duration(v), nil
}

// ShardCount is discord.shards: "auto" (0) or a positive number of shards.
type ShardCount int

// UnmarshalYAML reads auto or a positive integer.
func (s *ShardCount) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseShardCount(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*s = v
	return nil
}

// MarshalText writes auto or the number.
func (s ShardCount) MarshalText() ([]byte, error) {
	if s == 0 {
		return []byte("auto"), nil
	}
	return []byte(strconv.Itoa(int(s))), nil
}

// ParseShardCount parses "auto" or a positive number of shards.
func ParseShardCount(v string) (ShardCount, error) {
	v = strings.TrimSpace(v)
	if v == "auto" || v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("invalid shard count %q (use auto or a number from 1)", v)
	}
	return ShardCount(n), nil
}
