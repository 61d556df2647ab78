package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/internal/progress"
)

// TestProgress: eval, eval --cv, train and check draw their progress on
// stderr when it is a terminal (forced here), stage by stage, erase it at
// the end, and leave stdout alone; off a terminal they draw nothing.
func TestProgress(t *testing.T) {
	t.Parallel()
	set := writeFile(t, "set.jsonl", trainSet)
	page := filepath.Join("..", "..", "knowledge", "protocols.rst")
	tests := []struct {
		name   string
		run    func(ctx context.Context, e env, args []string) error
		args   []string
		stages []string // the last drawing of each stage, in order
	}{
		{"eval", runEval, []string{set}, []string{"\rload 1/1 100%", "\reval 13/13 100%"}},
		{"eval --cv", runEval, []string{set, "--cv", "2"}, []string{"\rload 1/1 100%", "\rcross-validate 2/2 100%"}},
		{"train", runTrain, []string{set, "--out", filepath.Join(t.TempDir(), "m.model"), "--folds", "2"}, []string{"\rload 1/1 100%", "\rtrain 3/3 100%"}},
		{"check", runCheck, []string{"--knowledge", page}, []string{"\rcheck 1/1 100%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, on := range []bool{true, false} {
				var stdout, stderr bytes.Buffer
				e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
				if on {
					e.bars = progress.Config{Mode: progress.Terminal, Interval: time.Nanosecond}
				}
				if err := tt.run(context.Background(), e, tt.args); err != nil {
					t.Fatalf("%v\n%s", err, stderr.String())
				}
				if strings.Contains(stdout.String(), "\r") {
					t.Errorf("progress on stdout: %q", stdout.String())
				}
				if !on {
					if strings.Contains(stderr.String(), "\r") {
						t.Errorf("progress drawn off a terminal: %q", stderr.String())
					}
					continue
				}
				inOrder(t, "stderr", stderr.String(), tt.stages)
				if n := strings.Count(stderr.String(), "\r\x1b[K"); n != len(tt.stages) {
					t.Errorf("%d erasures for %d stages: %q", n, len(tt.stages), stderr.String())
				}
			}
		})
	}
}
