package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/report"
	"github.com/espbot/espbot/store"
)

func TestRunReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "espbot.db")
	st, err := store.Open(context.Background(), store.Options{Driver: store.SQLite, Path: db})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = st.Write(context.Background(), store.Batch{Questions: []store.Question{
		{Time: now.Add(-time.Hour), Platform: "slack", Kind: store.KindNoMatch, Text: "zigbee coexistence with wifi"},
		{Time: now.Add(-30 * 24 * time.Hour), Platform: "slack", Kind: store.KindNoMatch, Text: "too old to report"},
	}})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "espbot.yaml")
	if err := os.WriteFile(cfg, []byte("store:\n  driver: sqlite\n  path: "+db+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	if err := runReport(context.Background(), e, []string{"--config", cfg, "--since", "7d", "--format", "json"}); err != nil {
		t.Fatalf("report: %v\n%s", err, errOut.String())
	}
	var r report.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Questions != 1 || len(r.Unanswered) != 1 || r.Unanswered[0].Examples[0] != "zigbee coexistence with wifi" {
		t.Errorf("report %+v", r)
	}
	for _, args := range [][]string{{"--format", "xml"}, {"--since", "soon"}, {"extra"}} {
		if err := runReport(context.Background(), e, append([]string{"--config", cfg}, args...)); err != errUsage {
			t.Errorf("report %v: %v, want a usage error", args, err)
		}
	}
	none := filepath.Join(dir, "none.yaml")
	if err := os.WriteFile(none, []byte("store:\n  driver: none\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := runReport(context.Background(), e, []string{"--config", none}); err == nil || !strings.Contains(err.Error(), "no store configured") {
		t.Errorf("report without a store: %v", err)
	}
}
