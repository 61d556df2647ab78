package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string { return writeIn(t, dir, name, data) }
	good := write("good.yaml", "http:\n  listen: 127.0.0.1:9000\nslack:\n  enabled: true\n  mode: http\n")
	bad := write("bad.yaml", "http:\n  listn: 127.0.0.1:9000\nlog:\n  format: xml\ndiscord:\n  enabled: true\nknowledge:\n  paths: [missing]\n")
	example := filepath.Join("..", "..", "espbot.example.yaml")
	if err := os.WriteFile(filepath.Join(dir, "broken.rst"), []byte(brokenPage), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.rst"), []byte("Empty\n=====\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	brokenKB := write("broken-kb.yaml", "knowledge:\n  paths: [broken.rst]\n")
	emptyKB := write("empty-kb.yaml", "knowledge:\n  paths: [empty.rst]\n")
	secrets := map[string]string{"ESPBOT_SLACK_BOT_TOKEN": "xoxb-TOPSECRET", "ESPBOT_SLACK_SIGNING_SECRET": "TOPSECRET2"}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		err     error // errUsage, exitError{1}, or nil
		stdout  []string
		notOut  []string
		wantErr string // part of an unexpected error
	}{
		{name: "valid", args: []string{"check", good}, env: secrets, stdout: []string{"ok\n"}},
		{name: "example", args: []string{"check", example}, stdout: []string{"ok\n"}},
		{name: "missing secrets", args: []string{"check", good}, err: exitError{1}, stdout: []string{
			"good.yaml:4: slack.enabled: Slack is enabled but has no bot token",
			"good.yaml:5: slack.mode: Slack http mode needs the signing secret",
		}},
		{name: "every problem at once", args: []string{"check", bad}, err: exitError{1}, stdout: []string{
			`bad.yaml:2: http.listn: unknown key (did you mean "listen"?)`,
			`bad.yaml:4: log.format: "xml" is not one of [text json]`,
			`bad.yaml:6: discord.enabled: Discord is enabled but has no token`,
			`knowledge.paths[0]: stat ` + filepath.Join(dir, "missing") + `: no such file or directory`,
		}, notOut: []string{"\nok\n"}},
		{name: "print redacts", args: []string{"check", "--print", good}, env: secrets, stdout: []string{"signing_secret_file", "ok\n"}, notOut: []string{"TOPSECRET"}},
		{name: "page errors with path and line", args: []string{"check", brokenKB}, err: exitError{1}, stdout: []string{
			filepath.Join(dir, "broken.rst") + ":6: not valid UTF-8",
		}},
		{name: "no entries", args: []string{"check", emptyKB}, err: exitError{1}, stdout: []string{"empty-kb.yaml:2: knowledge.paths: no FAQ entries found"}},
		{name: "missing file", args: []string{"check", filepath.Join(dir, "none.yaml")}, wantErr: "no such file"},
		{name: "no subcommand", args: nil, err: errUsage},
		{name: "unknown subcommand", args: []string{"lint", good}, err: errUsage},
		{name: "no file", args: []string{"check"}, err: errUsage},
		{name: "two files", args: []string{"check", good, good}, err: errUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			e := env{getenv: func(k string) string { return tt.env[k] }, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
			err := runConfig(context.Background(), e, tt.args)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
			case tt.err == nil && err != nil, tt.err != nil && !errors.Is(err, tt.err) && err != tt.err:
				t.Errorf("err = %v, want %v\nstdout: %s\nstderr: %s", err, tt.err, stdout.String(), stderr.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, not := range tt.notOut {
				if strings.Contains(stdout.String()+stderr.String(), not) {
					t.Errorf("output contains %q:\n%s%s", not, stdout.String(), stderr.String())
				}
			}
		})
	}
}

// TestRunConfig_ThroughRun checks the dispatch from run.
func TestRunConfig_ThroughRun(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"config", "check", filepath.Join("..", "..", "espbot.example.yaml")},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &bytes.Buffer{})
	if err != nil || stdout.String() != "ok\n" {
		t.Errorf("err %v, stdout %q", err, stdout.String())
	}
}
