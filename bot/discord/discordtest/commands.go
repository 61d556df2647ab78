package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Application command types.
const (
	CommandChatInput = 1
	CommandUser      = 2
	CommandMessage   = 3
)

// chatName is Discord's rule for slash command and option names.
var chatName = regexp.MustCompile(`^[-_\p{L}\p{N}]{1,32}$`)

// command is the part of a command definition the fake validates.
type command struct {
	Type        int             `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Options     []commandOption `json:"options"`
}

type commandOption struct {
	Type         int             `json:"type"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	Required     bool            `json:"required"`
	Autocomplete bool            `json:"autocomplete"`
	Choices      []any           `json:"choices"`
	MaxLength    *int            `json:"max_length"`
	MinLength    *int            `json:"min_length"`
	Options      []commandOption `json:"options"`
}

// validateCommands applies Discord's rules to a bulk overwrite.
func validateCommands(cmds []command) error {
	seen := map[string]bool{}
	for i, c := range cmds {
		if c.Type == 0 {
			c.Type = CommandChatInput
		}
		key := fmt.Sprint(c.Type, c.Name)
		if seen[key] {
			return fmt.Errorf("%d.name: duplicate command %q", i, c.Name)
		}
		seen[key] = true
		if err := validateCommand(c); err != nil {
			return fmt.Errorf("%d.%w", i, err)
		}
	}
	return nil
}

func validateCommand(c command) error {
	switch c.Type {
	case CommandChatInput:
		if !chatName.MatchString(c.Name) || strings.ToLower(c.Name) != c.Name {
			return fmt.Errorf("name: %q must be 1-32 lowercase letters, digits, - or _", c.Name)
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 100 {
			return fmt.Errorf("description: must be 1-100 characters, has %d", n)
		}
		return validateOptions(c.Options)
	case CommandUser, CommandMessage:
		if n := utf8.RuneCountInString(c.Name); n < 1 || n > 32 {
			return fmt.Errorf("name: must be 1-32 characters, has %d", n)
		}
		if c.Description != "" || len(c.Options) > 0 {
			return fmt.Errorf("description: user and message commands take no description or options")
		}
		return nil
	}
	return fmt.Errorf("type: unknown command type %d", c.Type)
}

func validateOptions(opts []commandOption) error {
	if len(opts) > 25 {
		return fmt.Errorf("options: at most 25, has %d", len(opts))
	}
	optional := false
	for i, o := range opts {
		switch {
		case o.Type < 1 || o.Type > 11:
			return fmt.Errorf("options.%d.type: unknown option type %d", i, o.Type)
		case !chatName.MatchString(o.Name) || strings.ToLower(o.Name) != o.Name:
			return fmt.Errorf("options.%d.name: %q is not a valid option name", i, o.Name)
		case utf8.RuneCountInString(o.Description) < 1 || utf8.RuneCountInString(o.Description) > 100:
			return fmt.Errorf("options.%d.description: must be 1-100 characters", i)
		case o.Required && optional:
			return fmt.Errorf("options.%d.required: required options must come before optional ones", i)
		case o.Autocomplete && len(o.Choices) > 0:
			return fmt.Errorf("options.%d.autocomplete: cannot be set with choices", i)
		case o.Autocomplete && o.Type != 3 && o.Type != 4 && o.Type != 10:
			return fmt.Errorf("options.%d.autocomplete: only string, integer and number options autocomplete", i)
		case o.MaxLength != nil && (*o.MaxLength < 1 || *o.MaxLength > 6000):
			return fmt.Errorf("options.%d.max_length: must be 1-6000", i)
		case o.MinLength != nil && (*o.MinLength < 0 || *o.MinLength > 6000):
			return fmt.Errorf("options.%d.min_length: must be 0-6000", i)
		}
		optional = optional || !o.Required
	}
	return nil
}

// handlePutCommands validates and stores a bulk overwrite of the global
// commands or of one guild's (the bot must be in that guild).
func (s *Server) handlePutCommands(w http.ResponseWriter, r *http.Request) {
	guild := r.PathValue("guild")
	if r.PathValue("app") != s.opts.AppID {
		apiError(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	if guild != "" && !s.knowsGuild(guild) {
		apiError(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	var raw []map[string]any
	var cmds []command
	body := readAll(r)
	if json.Unmarshal(body, &raw) != nil || json.Unmarshal(body, &cmds) != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	if err := validateCommands(cmds); err != nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body ("+err.Error()+")")
		return
	}
	for _, c := range raw {
		c["id"] = s.NewID()
		c["application_id"] = s.opts.AppID
		c["version"] = "1"
		if guild != "" {
			c["guild_id"] = guild
		}
	}
	s.mu.Lock()
	s.commands[guild] = raw
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, raw)
}

func (s *Server) handleGetCommands(w http.ResponseWriter, r *http.Request) {
	guild := r.PathValue("guild")
	if guild != "" && !s.knowsGuild(guild) {
		apiError(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	writeJSON(w, http.StatusOK, s.Commands(guild))
}

func (s *Server) knowsGuild(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.guilds[id]
	return ok
}

// Commands lists the names of the commands registered globally (guild "")
// or in a guild.
func (s *Server) Commands(guild string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any{}, s.commands[guild]...)
}

// CommandNames lists the names of the commands of a scope.
func (s *Server) CommandNames(guild string) []string {
	var names []string
	for _, c := range s.Commands(guild) {
		name, _ := c["name"].(string)
		names = append(names, name)
	}
	return names
}

// SetCommands registers commands as a previous run would have, without a
// request.
func (s *Server) SetCommands(guild string, names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cmds []map[string]any
	for _, n := range names {
		cmds = append(cmds, map[string]any{"id": s.newIDLocked(), "name": n, "type": CommandChatInput, "description": "old"})
	}
	s.commands[guild] = cmds
}
