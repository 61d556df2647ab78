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
	"github.com/espbot/espbot/bot/slack/slacktest"
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

// TestRender_TitleLinksThePublishedFAQ: an answer's title links its page on
// the published FAQ in the blocks and the fallback, and so does the note of
// a shortened answer; without a web address the title is a plain header and
// the note names the page within its knowledge root, never the server's
// path.
func TestRender_TitleLinksThePublishedFAQ(t *testing.T) {
	t.Parallel()
	const web = "https://docs.example.com/faq/wifi.html#why&how"
	const link = "<https://docs.example.com/faq/wifi.html#why&amp;how|Very long question"
	serverPath := knowledge.Source{Path: "/srv/espbot/faq/docs/en/wifi.rst", Line: 42, Page: "docs/en/wifi.rst"}
	for _, tc := range []struct {
		name        string
		url         string
		source      knowledge.Source
		first, note string
	}{
		{"published", web, serverPath, "section", "the full answer is on " + link[:strings.Index(link, "|")] + "|the FAQ page>._"},
		{"no base_url", "", serverPath, "header", "the full answer is in `docs/en/wifi.rst`, line 42._"},
		{"no page", "", knowledge.Source{}, "header", "the full answer is in the FAQ._"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := hugeEntry()
			e.URL, e.Source = tc.url, tc.source
			msg := render(bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 0.5}, renderOpts{})
			for _, p := range checkLimits(t, msg) {
				t.Error(p)
			}
			blocks := decodeBlocks(t, msg)
			title := textOf(blocks[0]["text"])
			if blocks[0]["type"] != tc.first || headerText(blocks) != truncate(e.Title, maxHeaderText) {
				t.Errorf("title block %v %q, want a %s of the title", blocks[0]["type"], title, tc.first)
			}
			linked := tc.url != ""
			if got := strings.HasPrefix(title, "*"+link); got != linked {
				t.Errorf("title %q links the page: %v, want %v", title, got, linked)
			}
			if got := strings.HasPrefix(msg.Text, link); got != linked {
				t.Errorf("fallback %.120q links the page: %v, want %v", msg.Text, got, linked)
			}
			all := fmt.Sprint(blocks) + msg.Text
			if !strings.Contains(all, tc.note) {
				t.Errorf("shortened answer does not say %q", tc.note)
			}
			if strings.Contains(all, "/srv/") {
				t.Error("the server's path leaked")
			}
		})
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

// checkLimits lists every way msg would be rejected by Slack (the fake's
// Validate), could ping someone, or reads badly (an unbalanced code fence,
// no fallback text). It returns the message's block text size too.
func checkLimits(tb testing.TB, msg message) []string {
	tb.Helper()
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	raw, err := json.Marshal(msg.Blocks)
	if err != nil {
		tb.Fatal(err)
	}
	if code, detail := slacktest.Validate(msg.Text, string(raw)); code != "" {
		bad("Slack would answer %s: %s", code, detail)
	}
	if msg.Text == "" || len(msg.Text) > maxFallback {
		bad("fallback text has %d bytes", len(msg.Text))
	}
	blocks := decodeBlocks(tb, msg)
	for _, b := range blocks {
		if s := textOf(b["text"]); b["type"] == "section" && strings.Count(s, "```")%2 != 0 {
			bad("section with unbalanced code fence: %.80q", s)
		}
	}
	if all := msg.Text + fmt.Sprint(blocks); pingRe.MatchString(all) {
		bad("may ping: %s", pingRe.FindString(all))
	}
	return probs
}

// textLen is how many characters of text msg's blocks hold, as Slack
// counts them for msg_blocks_too_long.
func textLen(tb testing.TB, msg message) int {
	tb.Helper()
	raw, err := json.Marshal(msg.Blocks)
	if err != nil {
		tb.Fatal(err)
	}
	return slacktest.TextLength(string(raw))
}

func textOf(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["text"].(string)
	return s
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

// noProse are answers without a paragraph: a table only (like the corpus
// entry "What is the operating current of ESP32 Bluetooth® LE?", which
// used to crash the process) and code only.
var noProse = []knowledge.Entry{
	{ID: "table-only", Title: "What is the operating current of ESP32 Bluetooth® LE?", Category: "BLE",
		Body: knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.Table, HeaderRows: 1, Rows: [][][]knowledge.Inline{
			{{{Kind: knowledge.Text, Text: "Mode"}}, {{Kind: knowledge.Text, Text: "Current"}}},
			{{{Kind: knowledge.Text, Text: "Advertising"}}, {{Kind: knowledge.Text, Text: "130 mA"}}},
		}}}}},
	{ID: "code-only", Title: "Which command erases the flash?", Category: "Tools",
		Body: knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.Code, Code: "esptool.py erase_flash"}}}},
	{ID: "empty", Title: "An entry with no answer?", Category: "Tools"},
}

func TestRender_AnswersWithoutProse(t *testing.T) {
	t.Parallel()
	for i := range noProse {
		e := &noProse[i]
		t.Run(e.ID, func(t *testing.T) {
			msg := render(bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 0.9}, renderOpts{})
			for _, p := range checkLimits(t, msg) {
				t.Error(p)
			}
			if !strings.HasPrefix(msg.Text, escape(e.Title)) {
				t.Errorf("fallback %q does not start with the title", msg.Text)
			}
		})
	}
}

func TestRender_LongListShortened(t *testing.T) {
	t.Parallel()
	var items [][]knowledge.Block
	for i := range 1500 {
		items = append(items, []knowledge.Block{{Kind: knowledge.Paragraph, Inlines: []knowledge.Inline{
			{Kind: knowledge.Literal, Text: fmt.Sprintf("wifi-mesh-development-framework-%04x", i)},
			{Kind: knowledge.Text, Text: " How do I configure the root node of an ESP-WIFI-MESH network?"},
		}}})
	}
	r := bot.Reply{Kind: bot.KindHelp, Title: "FAQ questions", Body: knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.List, Items: items}}}}
	msg := render(r, renderOpts{})
	for _, p := range checkLimits(t, msg) {
		t.Error(p)
	}
	last := textOf(decodeBlocks(t, msg)[len(msg.Blocks)-1]["text"])
	if last != listNote {
		t.Errorf("a shortened list ends with %q, want the note %q", last, listNote)
	}
}

func TestReplyState_RoundTrip(t *testing.T) {
	t.Parallel()
	long := func(i int) string { return fmt.Sprintf("wifi-mesh-development-framework-%04x", i) }
	cases := map[string]replyState{
		"short":            {Asker: "U1", Menu: []string{"a-1", "b-2"}, Query: "mqtt: keep-alive, 120 s?"},
		"no asker":         {Menu: []string{"a-1"}},
		"separators in ID": {Asker: "U1", Menu: []string{"a:b,c", "d%e"}, Query: "x:y"},
		"long IDs":         {Asker: "U0123456789", Menu: []string{long(1), long(2), long(3), long(4)}, Query: strings.Repeat("how to set up a mesh ", 10)},
		"too many":         {Asker: "U1", Menu: []string{long(1), long(2), long(3), long(4), long(5), long(6), long(7), long(8)}},
	}
	for name, st := range cases {
		t.Run(name, func(t *testing.T) {
			id := st.encode()
			if len(id) > maxBlockID {
				t.Fatalf("block ID of %d bytes", len(id))
			}
			got := decodeState(id)
			if got.Asker != st.Asker || len(got.Menu) == 0 && len(st.Menu) > 0 {
				t.Fatalf("decoded %+v from %q, want %+v", got, id, st)
			}
			for i, m := range got.Menu {
				if st.Menu[i] != m {
					t.Errorf("menu %v, want a prefix of %v", got.Menu, st.Menu)
				}
			}
			if !strings.HasPrefix(st.Query, got.Query) {
				t.Errorf("query %q, want a prefix of %q", got.Query, st.Query)
			}
		})
	}
	if st := cases["long IDs"]; len(decodeState(st.encode()).Menu) != len(st.Menu) {
		t.Error("a menu of four of the corpus's longest IDs does not fit")
	}
	if got := decodeState(blockActions); got.Asker != "" || got.Menu != nil {
		t.Errorf("an old block ID decoded to %+v", got)
	}
}

// TestRender_CorpusWithinLimits renders every entry of the shared esp-faq
// corpus (../shared/corpus beside the module root) as Slack would receive
// it: an answer with a menu of long IDs (in the channel, and privately with
// "Share"), a shared answer, and a suggestion reply, each checked against
// Slack's limits. The largest answer is logged.
func TestRender_CorpusWithinLimits(t *testing.T) {
	t.Parallel()
	// With the published site's links, as serve gives them to an esp-faq
	// checkout: long titles have long anchors.
	base, err := knowledge.LoadWith(knowledge.Options{BaseURL: knowledge.DefaultBaseURL}, corpusDir(t))
	if err != nil {
		t.Fatalf("load the corpus: %v", err)
	}
	if len(base.Entries) < 100 {
		t.Fatalf("only %d entries in the corpus", len(base.Entries))
	}
	var largest struct {
		id                   string
		chars, blocks, bytes int
	}
	shortened := 0
	n := len(base.Entries)
	for i := range base.Entries {
		e := &base.Entries[i]
		var alts []bot.Alternative
		for j := 1; j <= 3; j++ {
			o := base.Entries[(i+j*97)%n]
			alts = append(alts, bot.Alternative{ID: o.ID, Title: o.Title, Confidence: 0.4})
		}
		q := e.Title + " " + e.Title
		msgs := map[string]message{
			"answer": render(bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 0.8, Alternatives: alts, Query: q},
				renderOpts{asker: "U0123456789", query: q, dismiss: true}),
			"private": render(bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 0.8, Alternatives: alts, Query: q},
				renderOpts{asker: "U0123456789", query: q, share: true}),
			"shared": render(bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 1, Alternatives: alts},
				renderOpts{asker: "U0123456789", query: q, dismiss: true, sharedBy: "someone.with.a.long.name"}),
			"suggestions": render(bot.Reply{Kind: bot.KindSuggestions, Query: q, Alternatives: append(alts, bot.Alternative{ID: e.ID, Title: e.Title})},
				renderOpts{asker: "U0123456789", query: q, dismiss: true}),
		}
		for kind, msg := range msgs {
			for _, p := range checkLimits(t, msg) {
				t.Errorf("%s (%s) as %s: %s", e.ID, e.Title, kind, p)
			}
		}
		msg := msgs["answer"]
		if c := textLen(t, msg); c > largest.chars {
			raw, _ := json.Marshal(msg.Blocks)
			largest.id, largest.chars, largest.blocks, largest.bytes = e.ID, c, len(msg.Blocks), len(raw)
		}
		if strings.Contains(fmt.Sprint(decodeBlocks(t, msg)), "shortened to fit Slack") {
			shortened++
		}
	}
	t.Logf("%d entries rendered; largest answer %s: %d characters of block text in %d blocks (%d bytes of JSON); %d shortened",
		n, largest.id, largest.chars, largest.blocks, largest.bytes, shortened)
}

// corpusDir finds ../shared/corpus beside the module root, or skips.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if dir == filepath.Dir(dir) {
			t.Skip("module root not found")
		}
	}
	corpus := filepath.Join(filepath.Dir(dir), "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("no esp-faq corpus at %s (it is not part of the repository)", corpus)
	}
	return corpus
}
