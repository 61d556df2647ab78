package slacktest

import (
	"encoding/json"
	"strings"
	"testing"
)

func section(text string) map[string]any {
	return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}
}

func button(id, text string) map[string]any {
	return map[string]any{"type": "button", "action_id": id, "text": map[string]any{"type": "plain_text", "text": text}, "value": "v"}
}

func blocksJSON(tb testing.TB, blocks ...map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(blocks)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	many := func(n int, b map[string]any) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = b
		}
		return out
	}
	cases := []struct {
		name, text string
		blocks     []map[string]any
		raw        string // instead of blocks
		want       string
	}{
		{name: "text only", text: "hi", want: ""},
		{name: "blocks only", blocks: []map[string]any{section("hi")}, want: ""},
		{name: "nothing", want: "no_text"},
		{name: "text too long", text: strings.Repeat("a", 40001), want: "msg_too_long"},
		{name: "not JSON", text: "x", raw: "[{", want: "invalid_blocks"},
		{name: "51 blocks", text: "x", blocks: many(51, section("a")), want: "invalid_blocks"},
		{name: "50 blocks", text: "x", blocks: many(50, section("a")), want: ""},
		{name: "section of 3001", text: "x", blocks: []map[string]any{section(strings.Repeat("a", 3001))}, want: "invalid_blocks"},
		{name: "empty section", text: "x", blocks: []map[string]any{section("")}, want: "invalid_blocks"},
		{name: "header of 151", text: "x", blocks: []map[string]any{{"type": "header", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("h", 151)}}}, want: "invalid_blocks"},
		{name: "mrkdwn header", text: "x", blocks: []map[string]any{{"type": "header", "text": map[string]any{"type": "mrkdwn", "text": "h"}}}, want: "invalid_blocks"},
		{name: "duplicate block_id", text: "x", blocks: []map[string]any{{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}}, want: "invalid_blocks"},
		{name: "block_id of 256", text: "x", blocks: []map[string]any{{"type": "divider", "block_id": strings.Repeat("b", 256)}}, want: "invalid_blocks"},
		{name: "duplicate action_id", text: "x", blocks: []map[string]any{{"type": "actions", "elements": []any{button("a", "1"), button("a", "2")}}}, want: "invalid_blocks"},
		{name: "button text of 76", text: "x", blocks: []map[string]any{{"type": "actions", "elements": []any{button("a", strings.Repeat("t", 76))}}}, want: "invalid_blocks"},
		{name: "input block in a message", text: "x", blocks: []map[string]any{{"type": "input"}}, want: "invalid_blocks"},
		{name: "12,001 characters", text: "x", blocks: append(many(4, section(strings.Repeat("a", 3000))), section("b")), want: "msg_blocks_too_long"},
		{name: "12,000 characters", text: "x", blocks: many(4, section(strings.Repeat("a", 3000))), want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.raw
			if raw == "" && tc.blocks != nil {
				raw = blocksJSON(t, tc.blocks...)
			}
			if got, detail := Validate(tc.text, raw); got != tc.want {
				t.Errorf("Validate = %q (%s), want %q", got, detail, tc.want)
			}
		})
	}
}
