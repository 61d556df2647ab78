package knowledge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// page wraps an answer in a minimal FAQ page with one question.
func onePage(answer string) string {
	return "Cat\n===\n\n--------------\n\nThe question?\n--------------\n\n" + answer + "\n\n--------------\n"
}

// parseOne parses a page and returns its only entry and its problems.
func parseOne(tb testing.TB, src string) (Entry, []Problem) {
	tb.Helper()
	b, err := build([]sourceFile{{path: "t.rst", slug: "t", data: src}}, nil, Options{}.withDefaults())
	if err != nil {
		tb.Fatal(err)
	}
	if len(b.Entries) != 1 {
		tb.Fatalf("got %d entries, want 1", len(b.Entries))
	}
	return b.Entries[0], b.Problems
}

func TestParse_Constructs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, answer, want string
	}{
		{"paragraph", "  Yes, it does.\n  Really.", "Yes, it does. Really."},
		{"double spaces", "  When it occurs,  it  fails.", "When it occurs, it fails."},
		{"two paragraphs", "  One.\n\n  Two.", "One.\n\nTwo."},
		{"bullets", "  - a\n  - b", "- a\n- b"},
		{"nested bullets", "  - a\n\n    - a1\n    - a2\n\n  - b", "- a\n  - a1\n  - a2\n- b"},
		{"list under a sentence", "  Steps:\n  1. one\n  2. two", "Steps:\n\n1. one\n2. two"},
		{"enumerated", "  1. one\n  2. two", "1. one\n2. two"},
		{"auto enumerated", "  #. one\n  #. two", "1. one\n2. two"},
		{"parenthesised from 2", "  (2) two\n  (3) three", "2. two\n3. three"},
		{"letters", "  a. first\n  b. second", "1. first\n2. second"},
		{"item continuation", "  - first line\n    continued\n\n    second para", "- first line continued\n  second para"},
		{"code-block", "  .. code-block:: c\n\n    int x;\n      y();", "    int x;\n      y();"},
		{"code", "  .. code:: text\n\n\n    a\n\n    b", "    a\n\n    b"},
		{"literal after paragraph", "  Example::\n\n    x = 1", "Example:\n\n    x = 1"},
		{"literal after spaced colons", "  Example ::\n\n    x = 1", "Example\n\n    x = 1"},
		{"literal at column 0", "  See:\n\n::\n\n    x = 1", "See:\n\n    x = 1"},
		{"lone :: under text", "  As follows:\n  ::\n\n      call();", "As follows:\n\n    call();"},
		{"note", "  .. note::\n\n     Take care.", "Note: Take care."},
		{"note inline", "  .. note:: Take care.\n     Really.", "Note: Take care. Really."},
		{"note with list", "  .. note::\n\n    - a\n    - b", "Note:\n  - a\n  - b"},
		{"warning", "  .. warning::\n\n     Hot.", "Warning: Hot."},
		{"list-table", "  .. list-table::\n    :header-rows: 1\n\n    * - H1\n      - H2\n    * - a\n      - ``b``", "H1 | H2\na | b"},
		{"grid table", "  +----+-----+\n  | A  | B   |\n  +====+=====+\n  | 1  | 2   |\n  +----+-----+", "A | B\n1 | 2"},
		{"simple table", "  =====  =====\n  A      B\n  =====  =====\n  1      2\n  =====  =====", "A | B\n1 | 2"},
		{"image", "  .. image:: ../_static/x.png\n     :alt: Diagram", "[Image: Diagram]"},
		{"figure", "  .. figure:: ../_static/x.png\n      :scale: 100%", "[Image: ../_static/x.png]"},
		{"link", "  See `Docs <https://x.io/a>`_.", "See Docs (https://x.io/a)."},
		{"anonymous link", "  See `Docs <https://x.io/a>`__.", "See Docs (https://x.io/a)."},
		{"bare URL", "  Go to https://x.io/a.", "Go to https://x.io/a."},
		{"URL after full-width colon", "  APP：https://x.io/a。", "APP：https://x.io/a。"},
		{"inline markup", "  Use ``f()`` *now* and **here**.", "Use f() now and here."},
		{"escapes", "  ESP32-WROVER\\ :sup:`*` costs \\*1\\*.", "ESP32-WROVER* costs *1*."},
		{"default role", "  Version `2.1.0` is old.", "Version 2.1.0 is old."},
		{"line block in item", "  - | Setting :| ``menuconfig``", "- Setting :| menuconfig"},
		{"subsection", "  Part\n  ~~~~\n\n  Text.", "Part\n\nText."},
		{"comment skipped", "  .. this is a comment\n     still comment\n\n  Text.", "Text."},
		{"raw skipped", "  .. raw:: html\n\n     <b>x</b>\n\n  Text.", "Text."},
		{"transition inside", "  One.\n\n--------------\n\n  Two.", "One.\n\nTwo."},
		{"IDF field kept", "  :IDF\\: release/v5.0:\n\n  Text.", "IDF: release/v5.0\n\nText."},
		{"stars in brackets", "  Enable [*] support.", "Enable [*] support."},
		{"multiplication", "  2 * 3 = 6", "2 * 3 = 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, _ := parseOne(t, onePage(tt.answer))
			if got := RenderText(e.Body); got != tt.want {
				t.Errorf("RenderText:\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestParse_BlockKinds(t *testing.T) {
	t.Parallel()
	e, _ := parseOne(t, onePage("  Text.\n\n  - a\n\n  .. code-block:: c\n\n    x;\n\n  .. note::\n\n    N.\n\n  .. list-table::\n\n    * - a\n\n  .. image:: i.png"))
	var got []BlockKind
	for _, b := range e.Body.Blocks {
		got = append(got, b.Kind)
	}
	want := []BlockKind{Paragraph, List, Code, Note, Table, Image}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("kinds = %v, want %v", got, want)
	}
	if c := e.Body.Blocks[2]; c.Lang != "c" || c.Code != "x;" {
		t.Errorf("code block = %q %q", c.Lang, c.Code)
	}
	if n := e.Body.Blocks[3]; n.Label != "Note" {
		t.Errorf("note label = %q", n.Label)
	}
}

func TestParse_Inlines(t *testing.T) {
	t.Parallel()
	e, _ := parseOne(t, onePage("  Use ``a`` *b* **c** `d <https://d.io>`_ https://e.io"))
	want := []Inline{
		{Kind: Text, Text: "Use "}, {Kind: Literal, Text: "a"}, {Kind: Text, Text: " "},
		{Kind: Emphasis, Text: "b"}, {Kind: Text, Text: " "}, {Kind: Strong, Text: "c"},
		{Kind: Text, Text: " "}, {Kind: LinkRef, Text: "d", URL: "https://d.io"},
		{Kind: Text, Text: " "}, {Kind: LinkRef, Text: "https://e.io", URL: "https://e.io"},
	}
	if got := e.Body.Blocks[0].Inlines; !reflect.DeepEqual(got, want) {
		t.Errorf("inlines:\n got %+v\nwant %+v", got, want)
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain title?", "plain title?"},
		{"How to use ``esp_http_client``?", "How to use esp_http_client?"},
		{"Does `ESP-DL <https://github.com/espressif/esp-dl>`_ support it?", "Does ESP-DL support it?"},
		{"See :ref:`LCD examples <lcd-examples>`.", "See LCD examples."},
		{"*em* and **strong**", "em and strong"},
		{`ESP32-WROVER\ :sup:` + "`*`" + ` module`, "ESP32-WROVER* module"},
		{`a\*b`, "a*b"},
		{"  spaced   out  ", "spaced out"},
		{"full-width？", "full-width？"},
		{"`anon <https://x.io>`__", "anon"},
		{"open :ref:`role", "open :ref:`role"},
		{":doc:`Setup <../setup/index>` page", "Setup page"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParse_TitleTagsChips(t *testing.T) {
	t.Parallel()
	src := "Wi-Fi\n=====\n\n[LWIP] [scan] How to use ``x`` with `ESP-DL <https://d.io>`_？ \n------------------------- \n\n  :CHIP\\: ESP32S3 | esp32, ESP32-C3 ESP32 |  ES32:\n\n  Yes.\n"
	e, probs := parseOne(t, src)
	if e.Title != "How to use x with ESP-DL？" {
		t.Errorf("Title = %q", e.Title)
	}
	if e.Category != "Wi-Fi" {
		t.Errorf("Category = %q", e.Category)
	}
	if want := []string{"LWIP", "SCAN"}; !reflect.DeepEqual(e.Tags, want) {
		t.Errorf("Tags = %v, want %v", e.Tags, want)
	}
	if want := []string{"ESP32-S3", "ESP32", "ESP32-C3"}; !reflect.DeepEqual(e.Chips, want) {
		t.Errorf("Chips = %v, want %v", e.Chips, want)
	}
	if want := []Link{{Text: "ESP-DL", URL: "https://d.io"}}; !reflect.DeepEqual(e.Links, want) {
		t.Errorf("Links = %v", e.Links)
	}
	if got := RenderText(e.Body); got != "Yes." {
		t.Errorf("body = %q", got)
	}
	if e.Source.Line != 4 {
		t.Errorf("Source.Line = %d, want 4", e.Source.Line)
	}
	if !hasProblem(probs, 7, `unknown chip name "ES32"`) {
		t.Errorf("no warning for ES32 in %v", probs)
	}
}

func hasProblem(ps []Problem, line int, substr string) bool {
	for _, p := range ps {
		if p.Line == line && strings.Contains(p.Message, substr) {
			return true
		}
	}
	return false
}

func TestParse_LinksDeduplicated(t *testing.T) {
	t.Parallel()
	e, _ := parseOne(t, onePage("  `A <https://a.io>`_ https://b.io `A again <https://a.io>`__\n\n  - https://c.io"))
	want := []Link{{"A", "https://a.io"}, {"https://b.io", "https://b.io"}, {"https://c.io", "https://c.io"}}
	if !reflect.DeepEqual(e.Links, want) {
		t.Errorf("Links = %v, want %v", e.Links, want)
	}
}

func TestLoad_RefsAndLabels(t *testing.T) {
	t.Parallel()
	src := "P\n=\n\n--------\n\nFirst?\n--------\n\n  See :ref:`the second <second-q>` and :ref:`nowhere`.\n\n--------\n\n.. _second-q:\n\nSecond?\n--------\n\n.. _inside:\n\n  Body.\n"
	b, err := build([]sourceFile{{path: "p.rst", slug: "p", data: src}}, nil, Options{}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	first, second := b.Entries[0], b.Entries[1]
	if want := []string{"second-q", "inside"}; !reflect.DeepEqual(second.Labels, want) {
		t.Errorf("second.Labels = %v, want %v", second.Labels, want)
	}
	if len(first.Labels) != 0 {
		t.Errorf("first.Labels = %v", first.Labels)
	}
	want := "See the second (see entry " + second.ID + ") and nowhere."
	if got := RenderText(first.Body); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !hasProblem(b.Problems, 9, `unresolved :ref: to label "nowhere"`) {
		t.Errorf("no unresolved-ref warning in %v", b.Problems)
	}
	if got := RenderText(second.Body); got != "Body." {
		t.Errorf("second body = %q", got)
	}
}

func TestLoad_Warnings(t *testing.T) {
	t.Parallel()
	src := "P\n=\n\n" +
		"Empty?\n--------\n\n--------\n\n" + // 4
		"What is the default MTU of lwIP for ESP32?\n--------\n\n  A.\n\n" + // 9
		"What is the default MTU of LWIP for an ESP32?\n--------\n\n  B.\n\n" + // 14
		"What is the default MTU of LWIP for an ESP32 ?\n--------\n\n  C.\n\n" + // 19
		"Does EPS32 work?\n--------\n\n  Use ``ES32`` `x <https://a b>`_ *open\n\n  .. foo:: bar\n\n     kept\n" // 24
	b, _ := build([]sourceFile{{path: "p.rst", slug: "p", data: src}}, nil, Options{}.withDefaults())
	for _, want := range []struct {
		line int
		msg  string
	}{
		{4, "empty answer"},
		{14, "near-duplicate title"},
		{19, "duplicate title"},
		{24, `misspelled chip name "EPS32"`},
		{27, "URL contains a space"},
		{27, "unbalanced inline markup"},
		{29, `unknown directive "foo"`},
	} {
		if !hasProblem(b.Problems, want.line, want.msg) {
			t.Errorf("missing warning %d: %s in\n%v", want.line, want.msg, b.Problems)
		}
	}
	for _, p := range b.Problems {
		if strings.Contains(p.Message, `"ES32"`) {
			t.Errorf("literal text was linted: %v", p)
		}
		if p.Severity != Warning {
			t.Errorf("not a warning: %v", p)
		}
	}
	if got := RenderText(b.Entries[4].Body); !strings.Contains(got, "kept") {
		t.Errorf("unknown directive content lost: %q", got)
	}
}

func TestLoad_IDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "A.rst", "A\n=\n\nSame?\n-----\n\n  a\n\nOther?\n-----\n\n  b\n")
	write(t, dir, "sub/b.rst", "B\n=\n\nSame?\n-----\n\n  c\n")
	one, err := Load(filepath.Join(dir, "A.rst"), filepath.Join(dir, "sub"))
	if err != nil {
		t.Fatal(err)
	}
	two, err := Load(filepath.Join(dir, "sub"), filepath.Join(dir, "A.rst"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, e := range one.Entries {
		ids[e.Source.Path+e.Title] = e.ID
	}
	for _, e := range two.Entries {
		if ids[e.Source.Path+e.Title] != e.ID {
			t.Errorf("%s: ID depends on load order: %s vs %s", e.Title, ids[e.Source.Path+e.Title], e.ID)
		}
	}
	if !strings.HasPrefix(one.Entries[0].ID, "a-") || !strings.HasPrefix(one.Entries[2].ID, "b-") {
		t.Errorf("IDs %s %s: want page slugs a- and b-", one.Entries[0].ID, one.Entries[2].ID)
	}
}

func TestAssignIDs_Collisions(t *testing.T) {
	t.Parallel()
	var es []Entry
	var extra []parsed
	var slugs []string
	for i := 0; i < 3000; i++ {
		es = append(es, Entry{Source: Source{Line: i}})
		extra = append(extra, parsed{titleKey: "question number " + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i)})
		slugs = append(slugs, "p")
	}
	es = append(es, Entry{Source: Source{Line: 9999}})
	extra = append(extra, extra[0])
	slugs = append(slugs, "p")
	assignIDs(es, extra, slugs)
	seen := map[string]bool{}
	long := 0
	for _, e := range es {
		if seen[e.ID] {
			t.Fatalf("duplicate ID %s", e.ID)
		}
		seen[e.ID] = true
		if len(e.ID) > len("p-")+4 {
			long++
		}
	}
	if long == 0 || long == len(es) {
		t.Errorf("%d of %d IDs lengthened: want only colliding ones", long, len(es))
	}
}

func write(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestLoad_Errors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := write(t, dir, "bad.rst", "P\n=\n\nQ?\n----\n\n  caf\xe9\n")
	b, err := Load(bad, filepath.Join(dir, "missing"))
	if err == nil {
		t.Fatal("no error for a non-UTF-8 file and a missing path")
	}
	var le *LoadError
	if !errors.As(err, &le) || len(le.Errors) != 2 {
		t.Fatalf("error %v: want a *LoadError with 2 errors", err)
	}
	if !strings.Contains(err.Error(), "bad.rst") && !strings.Contains(err.Error(), "missing") {
		t.Errorf("error %q names no file", err)
	}
	if len(b.Entries) != 1 {
		t.Errorf("the non-UTF-8 page lost its entry: %d entries", len(b.Entries))
	}
	if !hasProblem(b.Problems, 7, "not valid UTF-8") {
		t.Errorf("problems %v", b.Problems)
	}
}

func TestLoad_NamedReferenceToTitle(t *testing.T) {
	t.Parallel()
	src := "P\n=\n\nCreate a branch\n--------\n\n  Run git.\n\nSteps\n--------\n\n  1. `Create a branch`_ first.\n  2. See `Elsewhere`_.\n\n.. _Elsewhere: https://x.io\n"
	b, _ := build([]sourceFile{{path: "p.rst", slug: "p", data: src}}, nil, Options{}.withDefaults())
	want := "1. Create a branch (see entry " + b.Entries[0].ID + ") first.\n2. See Elsewhere."
	if got := RenderText(b.Entries[1].Body); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, p := range b.Problems {
		if strings.Contains(p.Message, "unresolved") {
			t.Errorf("named reference reported: %v", p)
		}
	}
}

func TestLoad_DuplicateFullWidth(t *testing.T) {
	t.Parallel()
	src := "P\n=\n\nWhy can't I get the time zone？\n--------\n\n  A.\n\nWhy can't I get the time zone?\n--------\n\n  B.\n\nHow to use the time zone?\n--------\n\n  C.\n"
	b, _ := build([]sourceFile{{path: "p.rst", slug: "p", data: src}}, nil, Options{}.withDefaults())
	if !hasProblem(b.Problems, 9, "duplicate title (same as p.rst:4)") {
		t.Errorf("full-width duplicate not reported: %v", b.Problems)
	}
	if hasProblem(b.Problems, 14, "duplicate") {
		t.Errorf("distinct titles reported as duplicates: %v", b.Problems)
	}
}

func TestLoad_Paths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	page := write(t, dir, "pages/a.rst", "A\n=\n\nQ?\n----\n\n  a\n")
	write(t, dir, "pages/skip.txt", "Q?\n----\n")
	write(t, dir, "empty/readme.md", "nothing")
	b, err := Load(filepath.Join(dir, "pages"), page)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Files) != 1 || len(b.Entries) != 1 || b.Files[0].Path != page {
		t.Errorf("files %v, %d entries: want %s once", b.Files, len(b.Entries), page)
	}
	_, err = Load(filepath.Join(dir, "empty"))
	if err == nil || !strings.Contains(err.Error(), "no .rst files") {
		t.Errorf("folder without pages: err = %v", err)
	}
}

func TestLoad_NoCategory(t *testing.T) {
	t.Parallel()
	b, err := build([]sourceFile{{path: "p.rst", slug: "p", data: "Q?\n----\n\n  A.\n"}}, nil, Options{}.withDefaults())
	if err != nil || len(b.Entries) != 1 {
		t.Fatalf("err %v, %d entries", err, len(b.Entries))
	}
	if !hasProblem(b.Problems, 1, "no page title") {
		t.Errorf("problems %v", b.Problems)
	}
}

func TestLoad_CRLFBOMTabs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := write(t, dir, "w.rst", "\uFEFFWin\r\n===\r\n\r\nQ?  \r\n-----  \r\n\r\n\t- a\r\n\t- b\r\n")
	b, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entries) != 1 || b.Entries[0].Category != "Win" || b.Entries[0].Title != "Q?" {
		t.Fatalf("entries %+v", b.Entries)
	}
	if got := RenderText(b.Entries[0].Body); got != "- a\n- b" {
		t.Errorf("body %q", got)
	}
}

func TestNormaliseChip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ESP32", "ESP32", true},
		{"esp32s3", "ESP32-S3", true},
		{"ESP32-C61", "ESP32-C61", true},
		{"ESP8266EX", "ESP8266", true},
		{"ESP8684", "ESP8684", true},
		{"ES32", "ES32", false},
		{"ESP32-X9", "ESP32-X9", false},
		{"ESP", "ESP", false},
	}
	for _, tt := range tests {
		got, ok := normaliseChip(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normaliseChip(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestChipTypos(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want int
	}{
		{"Does ES32 support PPP?", 1},
		{"EPS8266 and ESP-32 and ESP3 2", 2},
		{"ESP32, ESP32-S3, ESP8266, ES8311 codec, STM32, GPIO32", 0},
		{"ESP32-­PICO", 0},
	}
	for _, tt := range tests {
		if got := chipTypos(tt.text); len(got) != tt.want {
			t.Errorf("chipTypos(%q) = %v, want %d", tt.text, got, tt.want)
		}
	}
}

// TestLoadWith_Progress: the progress hook hears of every page read and
// parsed, in order, the same page named twice counted once.
func TestLoadWith_Progress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := write(t, dir, "a.rst", "A\n=\n\nWhat is a?\n----------\n\nIt is a.\n")
	sub := filepath.Join(dir, "more")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, sub, "b.rst", "B\n=\n\nWhat is b?\n----------\n\nIt is b.\n")
	write(t, sub, "c.rst", "C\n=\n\nWhat is c?\n----------\n\nIt is c.\n")
	var calls []string
	b, err := LoadWith(Options{Progress: func(done, total int) { calls = append(calls, fmt.Sprintf("%d/%d", done, total)) }}, a, sub, a)
	if err != nil || len(b.Entries) != 3 {
		t.Fatalf("%d entries, %v", len(b.Entries), err)
	}
	if got := strings.Join(calls, " "); got != "1/3 2/3 3/3" {
		t.Errorf("progress %q, want 1/3 2/3 3/3", got)
	}
}
