package knowledge

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// describe writes every entry of a Base in a stable, readable form.
func describe(b *Base) string {
	var s strings.Builder
	for _, e := range b.Entries {
		fmt.Fprintf(&s, "=== %s (%s:%d)\n", e.ID, e.Source.Path, e.Source.Line)
		fmt.Fprintf(&s, "title: %s\ncategory: %s\n", e.Title, e.Category)
		fmt.Fprintf(&s, "chips: %s\ntags: %s\nlabels: %s\n", strings.Join(e.Chips, ", "), strings.Join(e.Tags, ", "), strings.Join(e.Labels, ", "))
		for _, l := range e.Links {
			fmt.Fprintf(&s, "link: %s <%s>\n", l.Text, l.URL)
		}
		fmt.Fprintf(&s, "text:\n%s\n\n", RenderText(e.Body))
	}
	for _, p := range b.Problems {
		fmt.Fprintf(&s, "problem: %s\n", p)
	}
	return s.String()
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("%s differs from the output (run go test -update and review the diff):\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant: %q\ngot:  %q", i+1, w, g)
		}
	}
	return ""
}

func TestLoadDefault_Golden(t *testing.T) {
	t.Parallel()
	b, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entries) != 32 {
		t.Errorf("embedded page: got %d entries, want 32", len(b.Entries))
	}
	checkGolden(t, "protocols.golden", describe(b))
}

func TestLoadDefault_Stable(t *testing.T) {
	t.Parallel()
	a, _ := LoadDefault()
	b, _ := LoadDefault()
	seen := map[string]bool{}
	for i := range a.Entries {
		id := a.Entries[i].ID
		if id != b.Entries[i].ID {
			t.Errorf("entry %d: ID %s then %s", i, id, b.Entries[i].ID)
		}
		if seen[id] {
			t.Errorf("duplicate ID %s", id)
		}
		seen[id] = true
		if !strings.HasPrefix(id, "protocols-") || len(id) != len("protocols-")+4 {
			t.Errorf("ID %q: want protocols-XXXX", id)
		}
	}
}
