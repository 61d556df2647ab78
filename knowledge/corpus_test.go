package knowledge

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// corpusDir locates ../shared/corpus/esp-faq-en from the module root,
// whatever the test's working directory, or skips the test.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	corpus, ok := corpusPath()
	if !ok {
		tb.Skipf("corpus not found at %s: the corpus tests need a copy of esp-faq's docs/en folder there", corpus)
	}
	return corpus
}

// corpusPath returns where the corpus should be and whether it is there.
func corpusPath() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "../shared/corpus/esp-faq-en", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "../shared/corpus/esp-faq-en", false
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", "esp-faq-en")
	_, err = os.Stat(corpus)
	return corpus, err == nil
}

// countQuestions counts dash-underlined titles without the parser: a
// non-blank line at column 0 that is not itself dashes, followed by four or
// more dashes (and maybe trailing spaces).
func countQuestions(tb testing.TB, path string) (titles map[int]bool) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	titles = map[int]bool{}
	prev, n := "", 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		n++
		cur := strings.TrimRight(sc.Text(), " \t")
		isDashes := len(cur) >= 4 && strings.Trim(cur, "-") == ""
		if isDashes && prev != "" && prev[0] != ' ' && prev[0] != '\t' && strings.Trim(prev, "- \t") != "" {
			titles[n-1] = true
		}
		prev = cur
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return titles
}

func TestLoad_Corpus(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	b, err := Load(dir)
	if err != nil {
		t.Fatalf("corpus has errors: %v", err)
	}
	byFile := map[string]map[int]bool{}
	for _, e := range b.Entries {
		if byFile[e.Source.Path] == nil {
			byFile[e.Source.Path] = map[int]bool{}
		}
		byFile[e.Source.Path][e.Source.Line] = true
	}
	total := 0
	for _, f := range b.Files {
		want := countQuestions(t, f.Path)
		total += len(want)
		for line := range want {
			if !byFile[f.Path][line] {
				t.Errorf("%s:%d: question is not an entry", f.Path, line)
			}
		}
		if f.Entries != len(want) {
			t.Errorf("%s: %d entries, %d dash-underlined titles", f.Path, f.Entries, len(want))
		}
	}
	if len(b.Entries) != total || total < 1200 {
		t.Errorf("%d entries, %d titles counted independently", len(b.Entries), total)
	}
	checkEntries(t, b)
}

// checkEntries verifies every entry: an ID, a title without markup, a body
// whenever the source has text under the title.
func checkEntries(t *testing.T, b *Base) {
	t.Helper()
	empty := map[string]bool{}
	for _, p := range b.Problems {
		if p.Message == "empty answer" {
			empty[p.Path+":"+strconv.Itoa(p.Line)] = true
		}
	}
	ids := map[string]bool{}
	for _, e := range b.Entries {
		pos := e.Source.Path + ":" + strconv.Itoa(e.Source.Line)
		if e.ID == "" || ids[e.ID] {
			t.Errorf("%s: missing or duplicate ID %q", pos, e.ID)
		}
		ids[e.ID] = true
		if e.Title == "" || strings.Contains(e.Title, "``") || strings.Contains(e.Title, "`_") {
			t.Errorf("%s: title %q", pos, e.Title)
		}
		if e.Category == "" {
			t.Errorf("%s: no category", pos)
		}
		if len(e.Body.Blocks) == 0 && !empty[pos] {
			t.Errorf("%s: empty body not reported", pos)
		}
	}
	for pos := range empty {
		if hasSourceText(t, pos) {
			t.Errorf("%s: the source has text under the title but the body is empty", pos)
		}
	}
}

// hasSourceText reports whether the lines under the title at pos hold text
// before the next transition or title.
func hasSourceText(t *testing.T, pos string) bool {
	k := strings.LastIndexByte(pos, ':')
	path := pos[:k]
	line, err := strconv.Atoi(pos[k+1:])
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.Split(string(data), "\n")
	for i := line + 1; i < len(ls); i++ { // ls[line] is the underline
		s := strings.TrimSpace(ls[i])
		if strings.Trim(s, "-") == "" && len(s) >= 4 || i+1 < len(ls) && strings.HasPrefix(ls[i+1], "----") {
			return false
		}
		if s != "" && !strings.HasPrefix(s, ".. _") {
			return true
		}
	}
	return false
}
