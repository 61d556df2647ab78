package bot

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espbot/espbot/knowledge"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestBot_GeneratedReplies pins the text of the replies the bot writes
// itself (help, list, notices, no-match), rendered as plain text.
func TestBot_GeneratedReplies(t *testing.T) {
	t.Parallel()
	kb, err := knowledge.LoadDefault()
	if err != nil {
		t.Fatalf("the embedded FAQ: %v", err)
	}
	ix := testIndex(t)
	b := New(Config{}, ix, nil, nil)
	var out strings.Builder
	for _, text := range []string{"help", "list", "list protocols", "/show", "/show nope", "/search zzzzqqq", "/list zzzz", offTopic} {
		r := b.Handle(context.Background(), Message{Platform: Discord, Channel: "D", User: "u", Text: text, IsDM: true})
		fmt.Fprintf(&out, "=== %s\nkind: %s\ntitle: %s\n%s\n", text, r.Kind, r.Title, knowledge.RenderText(r.Body))
	}
	golden := filepath.Join("testdata", "replies.golden")
	if len(kb.Entries) != ix.Len() {
		t.Skip("the golden file is for the embedded FAQ")
	}
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestBot_GeneratedReplies -update)", err)
	}
	if out.String() != string(want) {
		t.Errorf("replies differ from %s (rerun with -update if intended):\n%s", golden, out.String())
	}
}
