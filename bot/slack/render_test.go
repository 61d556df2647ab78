package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/knowledge"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestInlineText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   []knowledge.Inline
		want string
	}{
		{"escapes", []knowledge.Inline{{Kind: knowledge.Text, Text: "a < b && c > d <!here> <@U1>"}}, "a &lt; b &amp;&amp; c &gt; d &lt;!here&gt; &lt;@U1&gt;"},
		{"literal", []knowledge.Inline{{Kind: knowledge.Literal, Text: "x<y>`z"}}, "`x&lt;y&gt;'z`"},
		{"link", []knowledge.Inline{{Kind: knowledge.LinkRef, Text: "the | guide", URL: "https://e.com/a?b=1&c=<2>"}}, "<https://e.com/a?b=1&amp;c=%3C2%3E|the ¦ guide>"},
		{"bare link", []knowledge.Inline{{Kind: knowledge.LinkRef, Text: "https://e.com", URL: "https://e.com"}}, "<https://e.com>"},
		{"emphasis keeps spaces out", []knowledge.Inline{{Kind: knowledge.Text, Text: "a"}, {Kind: knowledge.Emphasis, Text: " b "}, {Kind: knowledge.Strong, Text: "c"}}, "a _b_ *c*"},
		{"cross reference shows its text", []knowledge.Inline{{Kind: knowledge.Text, Text: "see Wi-Fi"}}, "see Wi-Fi"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := inlineText(tc.in); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func para(s string) knowledge.Block {
	return knowledge.Block{Kind: knowledge.Paragraph, Inlines: []knowledge.Inline{{Kind: knowledge.Text, Text: s}}}
}

func TestDocText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   knowledge.Block
		want string
	}{
		{"bullets with nesting", knowledge.Block{Kind: knowledge.List, Items: [][]knowledge.Block{
			{para("one"), {Kind: knowledge.List, Ordered: true, Items: [][]knowledge.Block{{para("a")}, {para("b")}}}},
			{para("two")},
		}}, "• one\n    1. a\n    2. b\n• two"},
		{"code", knowledge.Block{Kind: knowledge.Code, Lang: "c", Code: "if (a < b) {}"}, "```\nif (a &lt; b) {}\n```"},
		{"note", knowledge.Block{Kind: knowledge.Note, Label: "Warning", Items: [][]knowledge.Block{{para("hot & loud")}}}, "> *Warning:* hot &amp; loud"},
		{"table", knowledge.Block{Kind: knowledge.Table, HeaderRows: 1, Rows: [][][]knowledge.Inline{
			{{{Kind: knowledge.Text, Text: "Chip"}}, {{Kind: knowledge.Text, Text: "Max"}}},
			{{{Kind: knowledge.Text, Text: "ESP32"}}, {{Kind: knowledge.Text, Text: "10"}}},
		}}, "```\nChip  | Max\n------+----\nESP32 | 10\n```"},
		{"relative image", knowledge.Block{Kind: knowledge.Image, URL: "../_static/x.png", Alt: "diagram"}, "_[diagram]_"},
		{"absolute image", knowledge.Block{Kind: knowledge.Image, URL: "https://e.com/x.png"}, "<https://e.com/x.png|image>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := docText(knowledge.Doc{Blocks: []knowledge.Block{tc.in}}); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestSplitText_KeepsAtoms(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("x", 95) + "&amp;" + strings.Repeat("é", 100)
	for _, piece := range splitText(s, 98) {
		if len(piece) > 98 || !utf8.ValidString(piece) {
			t.Errorf("bad piece (%d bytes, valid %v)", len(piece), utf8.ValidString(piece))
		}
		if strings.Contains(piece, "&") && !strings.Contains(piece, "&amp;") {
			t.Errorf("entity cut: %q", piece)
		}
	}
}

// hugeEntry exceeds every limit: long paragraphs, a long code block, many
// list items, a wide table.
func hugeEntry() *knowledge.Entry {
	var blocks []knowledge.Block
	for i := range 80 {
		blocks = append(blocks, para(fmt.Sprintf("Paragraph %d: %s", i, strings.Repeat("ESP32 & Wi-Fi <details> ", 60))))
	}
	blocks = append(blocks, knowledge.Block{Kind: knowledge.Code, Code: strings.Repeat("printf(\"%d\\n\", a < b);\n", 400)})
	return &knowledge.Entry{ID: "huge", Title: strings.Repeat("Very long question ", 20), Category: "Stress", Body: knowledge.Doc{Blocks: blocks}}
}

func TestRender_WithinSlackLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300)
	alts := []bot.Alternative{{ID: "a", Title: long}, {ID: "b", Title: "B"}, {ID: "c", Title: "C"}, {ID: "d", Title: "D"}}
	cases := map[string]struct {
		r bot.Reply
		o renderOpts
	}{
		"huge answer":   {bot.Reply{Kind: bot.KindAnswer, Entry: hugeEntry(), Confidence: 0.5, Alternatives: alts}, renderOpts{share: true}},
		"test answer":   {bot.Reply{Kind: bot.KindAnswer, Entry: &testEntries[0], Confidence: 1}, renderOpts{}},
		"suggestions":   {bot.Reply{Kind: bot.KindSuggestions, Query: "<!channel> help " + long, Alternatives: alts}, renderOpts{}},
		"no match":      {bot.Reply{Kind: bot.KindNoMatch, Query: "<!everyone> <@U1> & stuff"}, renderOpts{}},
		"help":          {bot.Reply{Kind: bot.KindHelp, Title: "Help", Body: hugeEntry().Body}, renderOpts{}},
		"notice, title": {bot.Reply{Kind: bot.KindNotice, Title: "Slow down <!here>"}, renderOpts{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			msg := render(tc.r, tc.o)
			for _, p := range checkLimits(t, msg) {
				t.Error(p)
			}
		})
	}
	if n := len(actionElements(decodeBlocks(t, render(cases["suggestions"].r, renderOpts{})))); n != maxSuggestions {
		t.Errorf("%d suggestion buttons for 4 alternatives, want %d", n, maxSuggestions)
	}
	if got := render(bot.Reply{Kind: bot.KindIgnore}, renderOpts{}); len(got.Blocks) != 0 || got.Text != "" {
		t.Errorf("ignore rendered %+v", got)
	}
}

func decodeBlocks(tb testing.TB, msg message) []map[string]any {
	tb.Helper()
	b, err := json.Marshal(msg.Blocks)
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

var pingRe = regexp.MustCompile(`<[!@#]`)

// checkLimits lists every way msg breaks Slack's Block Kit limits or could
// ping someone.
func checkLimits(tb testing.TB, msg message) []string {
	tb.Helper()
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	blocks := decodeBlocks(tb, msg)
	if msg.Text == "" || len(msg.Text) > 4000 {
		bad("fallback text has %d bytes", len(msg.Text))
	}
	if len(blocks) == 0 || len(blocks) > maxBlocks {
		bad("%d blocks", len(blocks))
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		if id, _ := b["block_id"].(string); id != "" {
			if ids[id] {
				bad("block %d: duplicate block_id %q", i, id)
			}
			ids[id] = true
		}
		checkBlock(b, bad)
	}
	all := msg.Text + fmt.Sprint(blocks)
	if pingRe.MatchString(all) {
		bad("may ping: %s", pingRe.FindString(all))
	}
	return probs
}

func textOf(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["text"].(string)
	return s
}

func checkBlock(b map[string]any, bad func(string, ...any)) {
	switch b["type"] {
	case "header":
		if n := utf8.RuneCountInString(textOf(b["text"])); n == 0 || n > maxHeaderText {
			bad("header of %d chars", n)
		}
	case "section":
		s := textOf(b["text"])
		if len(s) == 0 || len(s) > maxSectionText {
			bad("section of %d bytes", len(s))
		}
		if strings.Count(s, "```")%2 != 0 {
			bad("section with unbalanced code fence: %.80q", s)
		}
	case "context":
		if els, _ := b["elements"].([]any); len(els) == 0 || len(els) > 10 {
			bad("context with %d elements", len(els))
		}
	case "actions":
		els, _ := b["elements"].([]any)
		if len(els) == 0 || len(els) > 25 {
			bad("actions with %d elements", len(els))
		}
		seen := map[string]bool{}
		for _, e := range els {
			el, _ := e.(map[string]any)
			id, _ := el["action_id"].(string)
			if id == "" || seen[id] {
				bad("missing or duplicate action_id %q", id)
			}
			seen[id] = true
			checkElement(el, bad)
		}
	default:
		bad("unexpected block type %v", b["type"])
	}
}

func checkElement(el map[string]any, bad func(string, ...any)) {
	switch el["type"] {
	case "button":
		if n := utf8.RuneCountInString(textOf(el["text"])); n == 0 || n > maxButtonText {
			bad("button text of %d chars", n)
		}
		if v, _ := el["value"].(string); v == "" || len(v) > 2000 {
			bad("button value of %d bytes", len(v))
		}
	case "static_select":
		opts, _ := el["options"].([]any)
		if len(opts) == 0 || len(opts) > maxSelectOption {
			bad("select with %d options", len(opts))
		}
		for _, o := range opts {
			om, _ := o.(map[string]any)
			if n := utf8.RuneCountInString(textOf(om["text"])); n == 0 || n > maxOptionText {
				bad("option text of %d chars", n)
			}
			if v, _ := om["value"].(string); v == "" || len(v) > maxOptionValue {
				bad("option value of %d bytes", len(v))
			}
		}
	default:
		bad("unexpected element %v", el["type"])
	}
}

// TestRender_GoldenFAQ renders every entry of the embedded FAQ as an answer
// and compares it with testdata/faq/<id>.json (go test -update rewrites
// them). Every message must be within Slack's limits.
func TestRender_GoldenFAQ(t *testing.T) {
	t.Parallel()
	base, err := knowledge.LoadDefault()
	if err != nil && strings.Contains(err.Error(), "not implemented") {
		t.Skip("knowledge.LoadDefault is still a stub")
	}
	if err != nil {
		t.Fatalf("LoadDefault: %v", err)
	}
	if len(base.Entries) == 0 {
		t.Fatal("the embedded FAQ has no entries")
	}
	dir := filepath.Join("testdata", "faq")
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := range base.Entries {
		e := &base.Entries[i]
		var alts []bot.Alternative
		for j := 1; j <= 3; j++ {
			o := base.Entries[(i+j)%len(base.Entries)]
			alts = append(alts, bot.Alternative{ID: o.ID, Title: o.Title, Confidence: 0.4})
		}
		msg := render(bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 0.87, Alternatives: alts}, renderOpts{})
		for _, p := range checkLimits(t, msg) {
			t.Errorf("%s (%s): %s", e.ID, e.Title, p)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // keep &amp; and <url|text> readable in the goldens
		enc.SetIndent("", "  ")
		if err := enc.Encode(msg); err != nil {
			t.Fatal(err)
		}
		got := buf.Bytes()
		path := filepath.Join(dir, goldenName(e.ID)+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run go test -update)", e.ID, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rendering differs from %s (go test -update to accept):\n%s", e.ID, path, got)
		}
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func goldenName(id string) string {
	return unsafeName.ReplaceAllString(id, "_")
}
