package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// File is the configuration file ("" for the environment or defaults).
	File string
	// Line is the 1-based line of the offending key (0 when unknown, e.g. a
	// missing key or an environment variable).
	Line int
	// Key is the dotted key ("discord.channels") or environment variable.
	Key     string
	Message string
}

// String formats the problem as file:line: key: message.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error is returned by Load and Parse when the configuration is invalid. It
// lists every problem found, not only the first.
type Error struct {
	Problems []Problem
}

// Error joins the problems, one per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "invalid configuration:\n  " + strings.Join(lines, "\n  ")
}

// Env is where Load and Parse look outside the YAML file.
type Env struct {
	// Getenv returns an environment variable ("" when unset).
	Getenv func(string) string
	// ReadFile reads *_file secrets (default os.ReadFile).
	ReadFile func(string) ([]byte, error)
}

func (e Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

func (e Env) readFile(name string) ([]byte, error) {
	if e.ReadFile == nil {
		return os.ReadFile(name)
	}
	return e.ReadFile(name)
}

// Load reads, overrides from the environment, and validates the
// configuration file at path. An empty path gives the defaults with
// environment overrides. getenv may be nil.
func Load(path string, getenv func(string) string) (*Config, error) {
	env := Env{Getenv: getenv}
	if path == "" {
		return Parse("", nil, env)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data, env)
}

// Parse is Load on data already read from the file named name. Relative
// paths in the file (knowledge.paths, *_file, store.path) are resolved
// against name's folder.
func Parse(name string, data []byte, env Env) (*Config, error) {
	c := Default()
	c.Path = name
	lines := map[string]int{}
	c.lines = lines
	var probs []Problem
	if len(bytes.TrimSpace(data)) > 0 {
		probs = decode(name, data, c, lines)
	}
	c.resolvePaths()
	probs = append(probs, applyEnv(c, env)...)
	if c.Store.Driver == "" {
		c.Store.Driver = StoreSQLite // recorded by default; "none" turns it off
	}
	if c.Store.Driver == StoreSQLite && c.Store.Path == "" {
		c.Store.Path = defaultStorePath(c.Path, env)
	}
	c.dsnInFile = c.Store.DSN.IsSet() && env.getenv(EnvStoreDSN) == ""
	probs = append(probs, loadSecrets(c, env)...)
	for i := range probs {
		probs[i] = c.place(probs[i])
	}
	for _, p := range c.validate() {
		probs = append(probs, c.Problem(p.Key, p.Message))
	}
	if len(probs) > 0 {
		return c, &Error{Problems: probs}
	}
	return c, nil
}

// Problem returns a problem with the value of key, placed where the value
// came from: the environment variable that set it ("ESPBOT_LOG_LEVEL:
// ..."), else the file and the key's line ("espbot.yaml:12: log.level:
// ..."). "config check" uses it for what it checks beyond Parse.
func (c *Config) Problem(key, msg string) Problem {
	if v, rest := c.envFor(key); v != "" {
		if rest != "" {
			msg = strings.TrimPrefix(rest, ".") + ": " + msg
		}
		return Problem{Key: v, Message: msg}
	}
	return c.place(Problem{Key: key, Message: msg})
}

// place puts a problem without a file in the configuration file, at its
// key's line; problems of environment variables stay as they are.
func (c *Config) place(p Problem) Problem {
	if p.File == "" && !strings.HasPrefix(p.Key, "ESPBOT_") {
		p.File = c.Path
	}
	if p.Line == 0 {
		p.Line = c.lines[p.Key]
	}
	return p
}

// defaultStorePath is where the SQLite store lives by default: beside the
// configuration file, or in the user's state folder without one
// ($XDG_STATE_HOME, by default ~/.local/state). "" when neither is known.
func defaultStorePath(config string, env Env) string {
	if config != "" {
		return filepath.Join(filepath.Dir(config), "espbot.db")
	}
	state := env.getenv("XDG_STATE_HOME")
	if state == "" {
		home := env.getenv("HOME")
		if home == "" {
			return ""
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "espbot", "espbot.db")
}

// decode reads data strictly into c: unknown keys and values of the wrong
// type are problems with their line. lines receives the line of every key.
func decode(name string, data []byte, c *Config, lines map[string]int) []Problem {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return []Problem{yamlProblem(name, err)}
	}
	if len(root.Content) == 0 {
		return nil
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return []Problem{{File: name, Line: doc.Line, Message: "the configuration must be a mapping of keys"}}
	}
	probs := checkKeys(name, doc, reflect.TypeFor[Config](), "", lines)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(c)
	var te *yaml.TypeError
	switch {
	case err == nil, errors.Is(err, io.EOF):
	case errors.As(err, &te):
		for _, msg := range te.Errors {
			if strings.Contains(msg, " not found in type ") {
				continue // already reported by checkKeys, with the full key
			}
			probs = append(probs, typeProblem(name, msg))
		}
	default:
		probs = append(probs, yamlProblem(name, err))
	}
	return probs
}

var (
	lineRe       = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unmarshalRe  = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (.*)$")
	typeNameRepl = strings.NewReplacer("config.", "", "float64", "a number", "int64", "an integer", "int", "an integer", "bool", "true or false", "[]string", "a list", "map[string]string", "a mapping")
)

// typeProblem turns a yaml.TypeError line into a Problem.
func typeProblem(name, msg string) Problem {
	p := Problem{File: name, Message: msg}
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = m[2]
		if u := unmarshalRe.FindStringSubmatch(m[2]); u != nil {
			p.Message = fmt.Sprintf("cannot use %q here: want %s", u[2], typeNameRepl.Replace(u[3]))
		}
	}
	return p
}

// yamlProblem turns a YAML syntax error into a Problem.
func yamlProblem(name string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Problem{File: name, Message: "invalid YAML: " + msg}
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = "invalid YAML: " + m[2]
	}
	return p
}

// checkKeys walks a YAML mapping against the struct type t, reporting
// unknown keys with their full dotted name and line, and recording the line
// of every known key.
func checkKeys(name string, n *yaml.Node, t reflect.Type, prefix string, lines map[string]int) []Problem {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var probs []Problem
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := join(prefix, k.Value)
			ft, ok := fields[k.Value]
			if !ok {
				msg := "unknown key"
				if s := closest(k.Value, fields); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				probs = append(probs, Problem{File: name, Line: k.Line, Key: key, Message: msg})
				continue
			}
			lines[key] = k.Line
			probs = append(probs, checkKeys(name, v, ft, key, lines)...)
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := join(prefix, n.Content[i].Value)
			lines[key] = n.Content[i].Line
			probs = append(probs, checkKeys(name, n.Content[i+1], t.Elem(), key, lines)...)
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, v := range n.Content {
			key := fmt.Sprintf("%s[%d]", prefix, i)
			lines[key] = v.Line
			probs = append(probs, checkKeys(name, v, t.Elem(), key, lines)...)
		}
	}
	return probs
}

// yamlFields maps the YAML names of t's fields to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		out[tag] = f.Type
	}
	return out
}

// closest suggests a known key for a misspelt one.
func closest(k string, fields map[string]reflect.Type) string {
	best, bestD := "", 3
	for f := range fields {
		if d := distance(k, f); d < bestD || (d == bestD && best != "" && f < best) {
			best, bestD = f, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// resolvePaths makes paths written in the file relative to the file's
// folder (paths from the environment stay relative to the working folder).
func (c *Config) resolvePaths() {
	if c.Path == "" {
		return
	}
	dir := filepath.Dir(c.Path)
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i, p := range c.Knowledge.Paths {
		c.Knowledge.Paths[i] = abs(p)
	}
	c.Discord.TokenFile = abs(c.Discord.TokenFile)
	c.Slack.BotTokenFile = abs(c.Slack.BotTokenFile)
	c.Slack.AppTokenFile = abs(c.Slack.AppTokenFile)
	c.Slack.SigningSecretFile = abs(c.Slack.SigningSecretFile)
	c.Store.Path = abs(c.Store.Path)
	c.Matcher.Model = abs(c.Matcher.Model)
}
