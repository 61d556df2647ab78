package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedPath locates a file of the shared folder beside the module root
// (../shared from the root), or "" when it is absent.
func sharedPath(tb testing.TB, elem ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	p := filepath.Join(append([]string{filepath.Dir(dir), "shared"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// chatForms dresses a plain question the way chat platforms deliver it.
func chatForms(q string) map[string]Message {
	slackEsc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(q)
	return map[string]Message{
		"discord mention": {Platform: Discord, Channel: "c", User: "u", MentionsBot: true, Text: "<@123456> " + q},
		"discord quote":   {Platform: Discord, Channel: "c", User: "u", MentionsBot: true, Text: "> earlier message about something else\n<@!123456> " + q},
		"slack mention":   {Platform: Slack, Channel: "C1", User: "U1", MentionsBot: true, Text: "<@U0BOT> " + slackEsc + " <!here>"},
		"slash command":   {Platform: Slack, Channel: "C1", User: "U1", Command: true, Text: q},
	}
}

// TestBot_CleaningIsTransparent checks, over the shared development
// questions, that what chat platforms add around a question (mentions,
// quotes, Slack escapes) does not change the decision.
func TestBot_CleaningIsTransparent(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	b := New(Config{}, ix, nil, nil)
	n := 0
	for _, name := range []string{"seed-dev.jsonl", "corpus-dev.jsonl"} {
		path := sharedPath(t, "eval", name)
		if path == "" {
			t.Logf("../shared/eval/%s is absent", name)
			continue
		}
		for _, q := range devQuestions(t, path) {
			if _, _, _, isCmd := parseCommand(q); isCmd {
				continue
			}
			n++
			want := ix.Search(q)
			for form, m := range chatForms(q) {
				r := b.Handle(context.Background(), m)
				got := r.Kind == KindAnswer && r.Entry != nil
				if got != want.Answered || (got && r.Entry.ID != want.Best.Entry.ID) {
					t.Errorf("%s of %q: kind %v, want answered=%v (clean text %q)", form, q, r.Kind, want.Answered, Clean(m.Platform, m.Text))
				}
			}
		}
	}
	if n == 0 {
		t.Skip("../shared/eval is absent: skipping the development-set check")
	}
}

// devQuestions reads the questions of a JSONL question set.
func devQuestions(tb testing.TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			Question string `json:"question"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Question != "" {
			out = append(out, rec.Question)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
