package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Doc-building helpers for table tests.
func txt(s string) knowledge.Inline { return knowledge.Inline{Kind: knowledge.Text, Text: s} }
func lit(s string) knowledge.Inline { return knowledge.Inline{Kind: knowledge.Literal, Text: s} }
func lnk(t, u string) knowledge.Inline {
	return knowledge.Inline{Kind: knowledge.LinkRef, Text: t, URL: u}
}
func para(in ...knowledge.Inline) knowledge.Block {
	return knowledge.Block{Kind: knowledge.Paragraph, Inlines: in}
}
func bullets(items ...[]knowledge.Block) knowledge.Block {
	return knowledge.Block{Kind: knowledge.List, Items: items}
}
func item(bs ...knowledge.Block) []knowledge.Block { return bs }
func codeBlock(lang, c string) knowledge.Block {
	return knowledge.Block{Kind: knowledge.Code, Lang: lang, Code: c}
}

func TestMarkdown_Blocks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  knowledge.Doc
		want string
	}{
		{"inline kinds", knowledge.Doc{Blocks: []knowledge.Block{para(
			txt("Call "), lit("esp_wifi_set_ps()"), txt(" with "),
			knowledge.Inline{Kind: knowledge.Strong, Text: "WIFI_PS_NONE"}, txt(", see "),
			lnk("the guide", "https://docs.espressif.com/x(y)"), txt(" or "),
			lnk("https://example.com", "https://example.com"), txt("; "),
			knowledge.Inline{Kind: knowledge.Emphasis, Text: "really"}, txt("."),
		)}}, "Call `esp_wifi_set_ps()` with **WIFI\\_PS\\_NONE**, see [the guide](https://docs.espressif.com/x%28y%29) or <https://example.com>; *really*."},
		{"nested lists", knowledge.Doc{Blocks: []knowledge.Block{bullets(
			item(para(txt("one")), bullets(item(para(txt("one.a"))), item(para(txt("one.b"))))),
			item(para(txt("two"))),
		)}}, "- one\n  - one.a\n  - one.b\n- two"},
		{"ordered list with code", knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.List, Ordered: true, Items: [][]knowledge.Block{
			item(para(txt("set")), codeBlock("c", "x = 1;")),
			item(para(txt("go"))),
		}}}}, "1. set\n   ```c\n   x = 1;\n   ```\n2. go"},
		{"blank line in code in a list", knowledge.Doc{Blocks: []knowledge.Block{bullets(item(para(txt("a")), codeBlock("", "x\n\ny")))}}, "- a\n  ```\n  x\n  \n  y\n  ```"},
		{"code fence with language and backticks", knowledge.Doc{Blocks: []knowledge.Block{codeBlock("C++", "a ``` b")}}, "```c++\na ``\u200b` b\n```"},
		{"note", knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.Note, Label: "Warning", Items: [][]knowledge.Block{{para(txt("hot"))}}}}}, "> **Warning:** hot"},
		{"note ending with a link, then a list", knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.Note, Items: [][]knowledge.Block{{
			para(txt("see "), lnk("https://a.example", "https://a.example")), bullets(item(para(txt("x")))),
		}}}}}, "> **Note:** see <https://a.example>\n> \n> - x"},
		{"table as list", knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.Table, HeaderRows: 1, Rows: [][][]knowledge.Inline{
			{{txt("Chip")}, {txt("Max")}},
			{{txt("ESP32")}, {txt("10")}},
		}}}}, "- **Chip:** ESP32 · **Max:** 10"},
		{"literal with backtick", knowledge.Doc{Blocks: []knowledge.Block{para(lit("a`b"))}}, "`` a`b ``"},
		{"adjacent literals", knowledge.Doc{Blocks: []knowledge.Block{para(lit("a"), lit("`b`"))}}, "`a`\u200b`` `b` ``"},
		{"ordered list start", knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.List, Ordered: true, Start: 3, Items: [][]knowledge.Block{item(para(txt("c"))), item(para(txt("d")))}}}}, "3. c\n4. d"},
		{"relative link shows its target", knowledge.Doc{Blocks: []knowledge.Block{para(lnk("doc", "../x.html"))}}, "doc (`../x.html`)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := markdown(tt.doc); got != tt.want {
				t.Errorf("markdown:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"*bold* _it_ ~s~ `c` |x|", `\*bold\* \_it\_ \~s\~ \` + "`" + `c\` + "`" + ` \|x\|`},
		{"# heading", `\# heading`},
		{"- item", `\- item`},
		{"a-b", "a-b"},
		{"[x](https://evil)", `\[x\](https://evil)`},
		{"a > b", "a > b"},
		{"@everyone and @here", "@\u200beveryone and @\u200bhere"},
		{"<@123> <@&9>", `\<@123> \<@&9>`},
		{"> quote", `\> quote`},
	}
	for _, tt := range tests {
		if got := escape(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShorten(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 300) // 1,500 characters
	tests := []struct {
		name      string
		blocks    []string
		max       int
		wantCut   bool
		wantParts int // whole blocks kept
	}{
		{"fits", []string{"a", "b"}, 100, false, 0},
		{"cut at block boundary", []string{long, long, long}, 3500, true, 2},
		{"first block too long", []string{long + long + long}, 1000, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, cut := shorten(tt.blocks, tt.max, "NOTE")
			if cut != tt.wantCut {
				t.Fatalf("cut = %v, want %v", cut, tt.wantCut)
			}
			if runes(got) > tt.max {
				t.Fatalf("%d characters, max %d", runes(got), tt.max)
			}
			if cut && !strings.HasSuffix(got, "NOTE") {
				t.Errorf("shortened text does not end with the note: %q", got[max(0, len(got)-20):])
			}
			if kept := strings.Count(got, long); tt.wantParts > 0 && kept != tt.wantParts {
				t.Errorf("kept %d whole blocks, want %d", kept, tt.wantParts)
			}
		})
	}
}

func TestCutBlock_ClosesFence(t *testing.T) {
	t.Parallel()
	b := fence("c", strings.Repeat("int x = 0;\n", 500))
	got := cutBlock(b, 300)
	if runes(got) > 300 || !strings.HasPrefix(got, "```c\n") || !strings.HasSuffix(got, "\n```") {
		t.Errorf("cut code block not closed or too long (%d): %q", runes(got), got)
	}
	// A fence nested in a list item is closed at its indentation.
	nested := markdown(knowledge.Doc{Blocks: []knowledge.Block{bullets(item(para(txt("set")), codeBlock("c", strings.Repeat("x = 1;\n", 500))))}})
	got = cutBlock(nested, 300)
	if runes(got) > 300 || strings.Count(got, "```") != 2 || !strings.HasSuffix(got, "\n  ```") {
		t.Errorf("nested fence not closed or too long (%d): %q", runes(got), got)
	}
}

func TestRender_LongAnswerWithinLimits(t *testing.T) {
	t.Parallel()
	var bs []knowledge.Block
	for i := 0; i < 40; i++ {
		bs = append(bs, para(txt(strings.Repeat("Wi-Fi power save adds latency. ", 8))), codeBlock("c", "esp_wifi_set_ps(WIFI_PS_NONE);"))
	}
	var links []knowledge.Link
	for i := 0; i < 60; i++ {
		links = append(links, knowledge.Link{Text: "link", URL: "https://example.com/" + strings.Repeat("x", i)})
	}
	const web = "https://docs.example.com/faq/wifi.html#why"
	serverPath := knowledge.Source{Path: "/srv/espbot/faq/docs/en/wifi.rst", Line: 42, Page: "docs/en/wifi.rst"}
	// The note says where the full answer is: the published page when
	// there is one, else the page within its knowledge root; never the
	// server's path.
	for _, tc := range []struct {
		name     string
		url      string
		source   knowledge.Source
		want     string
		embedURL string
	}{
		{"published", web, serverPath, "full answer is in [the FAQ page](" + web + ")", web},
		{"no base_url", "", serverPath, "full answer is in `docs/en/wifi.rst`, line 42", ""},
		{"no page", "", knowledge.Source{}, "full answer is in the FAQ.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &knowledge.Entry{ID: "t-1", Title: strings.Repeat("Why ", 100), Category: "Protocols", Chips: []string{"ESP32"},
				Body: knowledge.Doc{Blocks: bs}, Links: links, Source: tc.source, URL: tc.url}
			out := render(bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 0.9, Query: strings.Repeat("q ", 2000)},
				renderOpts{Asker: "7", ShowQuery: true})
			if err := checkLimits(out); err != nil {
				t.Fatal(err)
			}
			d := out.Embeds[0].Description
			if !strings.Contains(d, tc.want) {
				t.Errorf("shortened answer does not say %q: ...%s", tc.want, d[len(d)-120:])
			}
			if out.Embeds[0].URL != tc.embedURL {
				t.Errorf("embed URL %q, want %q", out.Embeds[0].URL, tc.embedURL)
			}
			if strings.Count(d, "```")%2 != 0 {
				t.Error("unbalanced code fences in the shortened answer")
			}
			plain := render(bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 0.9}, renderOpts{Plain: true})
			if err := checkLimits(plain); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(plain.Content+d, "/srv/") {
				t.Errorf("the server's path leaked: %q", plain.Content)
			}
			if got := strings.Contains(plain.Content, "<"+web+">"); got != (tc.url != "") {
				t.Errorf("plain answer links the published page: %v, want %v:\n%s", got, tc.url != "", plain.Content)
			}
		})
	}
}

func TestRender_Suggestions(t *testing.T) {
	t.Parallel()
	r := bot.Reply{Kind: bot.KindNoMatch, Query: "@everyone *pizza*", Alternatives: []bot.Alternative{
		{ID: "a-1", Title: "A"}, {ID: "b-2", Title: "B"}, {ID: "c-3", Title: "C"}, {ID: "d-4", Title: "D"},
	}}
	out := render(r, renderOpts{Asker: "42"})
	if err := checkLimits(out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.Content, "@everyone") || strings.Contains(out.Content, "*pizza*") {
		t.Errorf("query not escaped: %q", out.Content)
	}
	row := out.Components[0].(discordgo.ActionsRow)
	var ids []string
	for _, c := range row.Components {
		ids = append(ids, c.(discordgo.Button).CustomID)
	}
	want := []string{"faq:show:42:a-1", "faq:show:42:b-2", "faq:show:42:c-3", "faq:dismiss:42"}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("buttons %v, want %v", ids, want)
	}
}

func TestCustomID_RoundTrip(t *testing.T) {
	t.Parallel()
	for _, a := range []action{
		{Verb: verbUp, Entry: "protocols-3f2a"},
		{Verb: verbDown, Entry: "x:y"},
		{Verb: verbAlt, Asker: "123"},
		{Verb: verbShow, Asker: "123", Entry: "p-1"},
		{Verb: verbClose, Asker: "123"},
		{Verb: verbShare, Asker: "99", Entry: "p-1"},
		{Verb: verbShare, Entry: "p-1"},
	} {
		got, ok := parseCustomID(customID(a))
		if !ok || got != a {
			t.Errorf("parse(customID(%+v)) = %+v, %v", a, got, ok)
		}
	}
	for _, s := range []string{"", "faq", "faq:up:", "other:up:x", "faq:zap:1", "faq:show:1"} {
		if a, ok := parseCustomID(s); ok {
			t.Errorf("parseCustomID(%q) = %+v, want not ok", s, a)
		}
	}
}

// TestRender_DefaultFAQGolden renders every entry of the embedded FAQ as
// Discord would receive it, checks Discord's limits, and compares with
// testdata/embeds/<id>.json (go test -run Golden -update rewrites them).
func TestRender_DefaultFAQGolden(t *testing.T) {
	t.Parallel()
	base, err := knowledge.LoadDefault()
	if err != nil {
		t.Fatalf("load the embedded FAQ: %v", err)
	}
	if len(base.Entries) == 0 {
		t.Fatal("the embedded FAQ has no entries")
	}
	ix, err := matcher.New(base.Entries, matcher.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Config{}, ix, nil, nil)
	dir := filepath.Join("testdata", "embeds")
	if *update {
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range base.Entries {
		reply := b.Show(e.ID)
		reply.Alternatives = nil // the matcher is tuned independently; keep goldens about rendering
		out := render(reply, renderOpts{Asker: "42"})
		if err := checkLimits(out); err != nil {
			t.Errorf("%s: %v", e.ID, err)
		}
		got := goldenJSON(t, out)
		path := filepath.Join(dir, e.ID+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run go test -run Golden -update)", e.ID, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rendering differs from %s (go test -run Golden -update rewrites it)\n got: %s", e.ID, path, got)
		}
	}
	if !*update {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		if len(files) != len(base.Entries) {
			t.Errorf("%d golden files for %d entries (stale files? run -update)", len(files), len(base.Entries))
		}
	}
}

// goldenJSON is the message as sent to Discord, indented for review, with
// the description also shown line by line.
func goldenJSON(t *testing.T, out outgoing) []byte {
	t.Helper()
	send := &discordgo.MessageSend{Content: out.Content, Embeds: out.Embeds, Components: out.Components, AllowedMentions: noMentions()}
	raw, err := json.Marshal(send)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	json.Unmarshal(raw, &v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"message": v, "description_lines": strings.Split(out.Embeds[0].Description, "\n")}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRender_CoreReplies renders what the core says to chat commands and
// odd questions, all within Discord's limits.
func TestRender_CoreReplies(t *testing.T) {
	t.Parallel()
	b := bot.New(bot.Config{}, testIndex(t, matcher.Options{}), nil, nil)
	for _, q := range []string{"", "help", "list", "list protocols", "search wifi", "show nope", "/frobnicate", offTopic, strings.Repeat("mqtt tls wifi ", 400)} {
		r := b.Handle(t.Context(), bot.Message{Platform: bot.Discord, IsDM: true, User: "42", Text: q})
		if r.Kind == bot.KindIgnore {
			t.Errorf("%.20q: ignored", q)
			continue
		}
		out := render(r, renderOpts{Asker: "42"})
		if err := checkLimits(out); err != nil {
			t.Errorf("%.20q (%s): %v", q, r.Kind, err)
		}
		if err := checkLimits(render(r, renderOpts{Asker: "42", Plain: true})); err != nil {
			t.Errorf("%.20q (%s) as text: %v", q, r.Kind, err)
		}
		if out.Content == "" && len(out.Embeds) == 0 {
			t.Errorf("%.20q (%s): empty message", q, r.Kind)
		}
	}
}

// TestRender_CorpusWithinLimits renders every entry of the shared esp-faq
// corpus (../shared/corpus from the module root) and checks Discord's
// limits and balanced code fences.
func TestRender_CorpusWithinLimits(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	// With the published site's links, as serve gives them to an esp-faq
	// checkout: long titles have long anchors.
	base, err := knowledge.LoadWith(knowledge.Options{BaseURL: knowledge.DefaultBaseURL}, dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	if len(base.Entries) < 100 {
		t.Fatalf("only %d entries in the corpus", len(base.Entries))
	}
	shortened := 0
	for i := range base.Entries {
		e := &base.Entries[i]
		reply := bot.Reply{Kind: bot.KindAnswer, Entry: e, Confidence: 0.8, Query: e.Title,
			Alternatives: []bot.Alternative{{ID: "other-1", Title: strings.Repeat("long title ", 20)}}}
		out := render(reply, renderOpts{Asker: "42", ShowQuery: true})
		if err := checkLimits(out); err != nil {
			t.Errorf("%s: %v", e.ID, err)
		}
		d := out.Embeds[0].Description
		if strings.Count(d, "```")%2 != 0 {
			t.Errorf("%s: unbalanced code fences", e.ID)
		}
		if strings.Contains(d, "shortened to fit Discord") {
			shortened++
		}
		// Without Embed Links, privately with Share in channel.
		plain := render(reply, renderOpts{Asker: "42", ShowQuery: true, Plain: true, Ephemeral: true, Share: true, ShareTarget: "12345678901234567890"})
		if err := checkLimits(plain); err != nil {
			t.Errorf("%s as text: %v", e.ID, err)
		}
		if len(plain.Embeds) != 0 || strings.Count(plain.Content, "```")%2 != 0 || !strings.Contains(plain.Content, escape(truncateRunes(e.Title, maxEmbedTitle))) {
			t.Errorf("%s as text: embeds %d, fences unbalanced or title missing", e.ID, len(plain.Embeds))
		}
	}
	t.Logf("%d entries rendered, %d shortened", len(base.Entries), shortened)
}

// corpusDir finds ../shared/corpus beside the module root, or skips.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	corpus := filepath.Join(filepath.Dir(dir), "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("no esp-faq corpus at %s (it is not part of the repository)", corpus)
	}
	return corpus
}
