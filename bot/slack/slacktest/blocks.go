package slacktest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Slack's documented limits on messages and Block Kit
// (https://docs.slack.dev/reference/block-kit), checked by Validate.
const (
	maxText         = 40000 // top-level text (msg_too_long)
	maxBlocks       = 50
	maxSection      = 3000
	maxField        = 2000
	maxFields       = 10
	maxHeader       = 150
	maxContextEls   = 10
	maxActionEls    = 25
	maxButtonText   = 75
	maxButtonValue  = 2000
	maxActionID     = 255
	maxBlockID      = 255
	maxOptions      = 100
	maxOptionText   = 75
	maxOptionValue  = 150
	maxPlaceholder  = 150
	maxMessageBlock = 12000 // characters of text in all blocks (msg_blocks_too_long)
)

// Validate checks a message as Slack does before posting it. blocks is the
// JSON of the blocks argument ("" for none). It returns "" when Slack would
// accept the message, otherwise Slack's error code (no_text, msg_too_long,
// invalid_blocks, msg_blocks_too_long) and what is wrong.
func Validate(text, blocks string) (code, detail string) {
	var list []map[string]any
	if blocks != "" {
		if err := json.Unmarshal([]byte(blocks), &list); err != nil {
			return "invalid_blocks", "blocks is not a JSON array of objects: " + err.Error()
		}
	}
	switch {
	case text == "" && len(list) == 0:
		return "no_text", "neither text nor blocks"
	case utf8.RuneCountInString(text) > maxText:
		return "msg_too_long", fmt.Sprintf("text has %d characters", utf8.RuneCountInString(text))
	case len(list) > maxBlocks:
		return "invalid_blocks", fmt.Sprintf("no more than %d items allowed [json-pointer:/blocks]", maxBlocks)
	}
	ids := map[string]bool{}
	for i, b := range list {
		if id, _ := b["block_id"].(string); id != "" {
			if ids[id] || len(id) > maxBlockID {
				return "invalid_blocks", fmt.Sprintf("block %d: duplicate or too long block_id", i)
			}
			ids[id] = true
		}
		if err := checkBlock(b); err != "" {
			return "invalid_blocks", fmt.Sprintf("%s [json-pointer:/blocks/%d]", err, i)
		}
	}
	if n := textLen(list); n > maxMessageBlock {
		return "msg_blocks_too_long", fmt.Sprintf("%d characters of text in blocks", n)
	}
	return "", ""
}

// TextLength is how many characters of text the blocks (JSON) hold, as
// counted for msg_blocks_too_long: the text of every text object.
func TextLength(blocks string) int {
	var v any
	if json.Unmarshal([]byte(blocks), &v) != nil {
		return 0
	}
	return textLen(v)
}

// textLen counts the characters of every text object under v.
func textLen(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if t, _ := x["type"].(string); t == "plain_text" || t == "mrkdwn" {
			s, _ := x["text"].(string)
			return utf8.RuneCountInString(s)
		}
		for _, c := range x {
			n += textLen(c)
		}
	case []map[string]any:
		for _, c := range x {
			n += textLen(c)
		}
	case []any:
		for _, c := range x {
			n += textLen(c)
		}
	}
	return n
}

// textObject checks a text object of the given types and length bounds.
func textObject(v any, maxLen int, types ...string) string {
	m, ok := v.(map[string]any)
	if !ok {
		return "missing text object"
	}
	t, _ := m["type"].(string)
	okType := false
	for _, want := range types {
		okType = okType || t == want
	}
	if !okType {
		return fmt.Sprintf("text object of type %q", t)
	}
	s, _ := m["text"].(string)
	if n := utf8.RuneCountInString(s); n == 0 || n > maxLen {
		return fmt.Sprintf("must be between 1 and %d characters, got %d", maxLen, n)
	}
	return ""
}

func checkBlock(b map[string]any) string {
	switch b["type"] {
	case "section":
		return checkSection(b)
	case "header":
		return textObject(b["text"], maxHeader, "plain_text")
	case "divider":
		return ""
	case "context":
		els, _ := b["elements"].([]any)
		if len(els) == 0 || len(els) > maxContextEls {
			return fmt.Sprintf("context needs 1 to %d elements", maxContextEls)
		}
		for _, e := range els {
			if err := textObject(e, maxSection, "plain_text", "mrkdwn"); err != "" {
				return "context element: " + err
			}
		}
		return ""
	case "actions":
		return checkActions(b)
	}
	return fmt.Sprintf("unsupported block type %v", b["type"])
}

func checkSection(b map[string]any) string {
	fields, _ := b["fields"].([]any)
	if b["text"] == nil && len(fields) == 0 {
		return "section needs text or fields"
	}
	if b["text"] != nil {
		if err := textObject(b["text"], maxSection, "plain_text", "mrkdwn"); err != "" {
			return "section text: " + err
		}
	}
	if len(fields) > maxFields {
		return "too many fields"
	}
	for _, f := range fields {
		if err := textObject(f, maxField, "plain_text", "mrkdwn"); err != "" {
			return "field: " + err
		}
	}
	return ""
}

func checkActions(b map[string]any) string {
	els, _ := b["elements"].([]any)
	if len(els) == 0 || len(els) > maxActionEls {
		return fmt.Sprintf("actions needs 1 to %d elements", maxActionEls)
	}
	seen := map[string]bool{}
	for _, e := range els {
		el, _ := e.(map[string]any)
		id, _ := el["action_id"].(string)
		if id == "" || len(id) > maxActionID || seen[id] {
			return fmt.Sprintf("missing, duplicate or too long action_id %q", id)
		}
		seen[id] = true
		if err := checkElement(el); err != "" {
			return err
		}
	}
	return ""
}

func checkElement(el map[string]any) string {
	switch el["type"] {
	case "button":
		if err := textObject(el["text"], maxButtonText, "plain_text"); err != "" {
			return "button text: " + err
		}
		if v, _ := el["value"].(string); len(v) > maxButtonValue {
			return "button value too long"
		}
		if s, ok := el["style"].(string); ok && s != "primary" && s != "danger" {
			return "button style " + s
		}
		return ""
	case "static_select":
		if err := textObject(el["placeholder"], maxPlaceholder, "plain_text"); err != "" {
			return "select placeholder: " + err
		}
		opts, _ := el["options"].([]any)
		if len(opts) == 0 || len(opts) > maxOptions {
			return fmt.Sprintf("select needs 1 to %d options", maxOptions)
		}
		for _, o := range opts {
			om, _ := o.(map[string]any)
			if err := textObject(om["text"], maxOptionText, "plain_text"); err != "" {
				return "option text: " + err
			}
			if v, _ := om["value"].(string); v == "" || len(v) > maxOptionValue {
				return fmt.Sprintf("option value of %d bytes", len(v))
			}
		}
		return ""
	}
	return fmt.Sprintf("unsupported element %v", el["type"])
}
