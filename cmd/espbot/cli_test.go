package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun_CLI is the command line as people type it: args and environment
// in, stdout, stderr and the exit status out. stderr includes what main
// prints for the returned error.
func TestRun_CLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string { return writeIn(t, dir, name, data) }
	set := write("set.jsonl", trainSet)
	other := write("other.jsonl", `{"id":"o1","question":"mtu of lwip?","expect":"No such title?"}`+"\n")
	cfg := write("espbot.yaml", "log:\n  level: info\n")
	write("afile", "not a folder")
	storeUnderFile := write("store.yaml", "store:\n  path: afile/espbot.db\n")
	storeIsFolder := write("folder.yaml", "store:\n  path: .\n")
	const mtu = "What is the default MTU of LWIP for an ESP32?"
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		code     int
		stdout   []string // parts of stdout, in order
		stderr   []string // parts of stderr, in order
		noStdout bool
		noStderr bool
	}{
		{name: "-h", args: []string{"-h"}, stdout: []string{"Usage: espbot [command]", "version"}, noStderr: true},
		{name: "help", args: []string{"help"}, stdout: []string{"Usage: espbot [command]"}, noStderr: true},
		{name: "ask -h prints usage once, on stdout", args: []string{"ask", "-h"}, stdout: []string{"Usage: espbot ask", "--json"}, noStderr: true},
		{name: "eval --help", args: []string{"eval", "--help"}, stdout: []string{"Usage: espbot eval", "--cv K"}, noStderr: true},
		{name: "train -h after other flags", args: []string{"train", "--folds", "3", "-h"}, stdout: []string{"Usage: espbot train"}, noStderr: true},
		{name: "check -h", args: []string{"check", "-h"}, stdout: []string{"Usage: espbot check"}, noStderr: true},
		{name: "help COMMAND", args: []string{"help", "ask"}, stdout: []string{"Usage: espbot ask"}, noStderr: true},
		{name: "version", args: []string{"version"}, stdout: []string{"espbot "}, noStderr: true},
		{name: "--version", args: []string{"--version"}, stdout: []string{"espbot "}, noStderr: true},
		{name: "flags after the question", args: []string{"ask", "whats the default mtu of lwip", "--json"},
			stdout: []string{`{"question":"whats the default mtu of lwip","answered":true`}, noStderr: true},
		{name: "flags between the words", args: []string{"ask", "whats", "--json", "the", "default", "mtu", "of", "lwip"},
			stdout: []string{`{"question":"whats the default mtu of lwip"`}, noStderr: true},
		{name: "-- ends the flags", args: []string{"ask", "--json", "--", "--json"}, stdout: []string{`{"question":"--json","answered":false`}, noStderr: true},
		{name: "flag=value", args: []string{"ask", mtu, "--json=true"}, stdout: []string{`"answered":true`}, noStderr: true},
		{name: "a number is a word of the question", args: []string{"ask", "--json", "errno", "-1"}, stdout: []string{`"question":"errno -1"`}, noStderr: true},
		{name: "an unknown title is named by its own file", args: []string{"eval", set, other},
			stdout: []string{"overall"}, stderr: []string{"set.jsonl:13: expected title", "other.jsonl:1: expected title not in the knowledge base"}},
		{name: "eval's flags after the file", args: []string{"eval", set, "--json"}, stdout: []string{`"overall"`}, stderr: []string{"set.jsonl:13: expected title not in the knowledge base"}},
		{name: "check's flags in any order", args: []string{"check", "--knowledge", filepath.Join("..", "..", "knowledge", "protocols.rst"), "--json"},
			stdout: []string{`"entries": 32`}, noStderr: true},
		{name: "unknown flag names itself", args: []string{"ask", "--bogus", "q"}, code: 2,
			stderr: []string{"espbot ask: unknown flag --bogus\n", "Usage: espbot ask"}, noStdout: true},
		{name: "unknown flag after the question", args: []string{"eval", set, "-jsn"}, code: 2, stderr: []string{"espbot eval: unknown flag -jsn\n"}, noStdout: true},
		{name: "unknown flag with a value", args: []string{"check", "--knowlege=docs"}, code: 2, stderr: []string{"espbot check: unknown flag --knowlege\n"}, noStdout: true},
		{name: "flag without its value", args: []string{"ask", "--knowledge"}, code: 2, stderr: []string{"espbot ask: flag --knowledge needs a value"}, noStdout: true},
		{name: "bad number", args: []string{"eval", set, "--cv=x"}, code: 2, stderr: []string{`espbot eval: invalid value "x" for --cv: want a number`}, noStdout: true},
		{name: "bad boolean", args: []string{"ask", "--json=maybe", "q"}, code: 2, stderr: []string{`espbot ask: invalid value "maybe" for --json: want true or false`}, noStdout: true},
		{name: "chat's flags without the command", args: []string{"--bogus"}, code: 2, stderr: []string{"espbot chat: unknown flag --bogus"}, noStdout: true},
		{name: "unknown command", args: []string{"nope"}, code: 2, stderr: []string{`espbot: unknown command "nope"`, "Usage: espbot [command]"}, noStdout: true},
		{name: "missing operand", args: []string{"eval", "--json"}, code: 2, stderr: []string{"espbot eval: want at least one FILE.jsonl"}, noStdout: true},
		{name: "version takes no argument", args: []string{"version", "now"}, code: 2, stderr: []string{`espbot version: unexpected argument "now"`}, noStdout: true},
		{name: "missing knowledge, one prefix", args: []string{"ask", "--knowledge", filepath.Join(dir, "missing"), "q"}, code: 1,
			stderr: []string{filepath.Join(dir, "missing") + ": cannot read: no such file or directory\n", "espbot: load knowledge: 1 error, listed above\n"}, noStdout: true},
		{name: "a bad environment value names the variable", args: []string{"config", "check", cfg}, env: map[string]string{"ESPBOT_LOG_LEVEL": "verbose"}, code: 1,
			stdout: []string{`ESPBOT_LOG_LEVEL: "verbose" is not one of [debug info warn error]`}, stderr: []string{"espbot: " + cfg + ": 1 problem(s)"}},
		{name: "every bad environment value", args: []string{"config", "check", cfg}, env: map[string]string{"ESPBOT_LOG_LEVEL": "verbose", "ESPBOT_SLACK_ENABLED": "maybe", "ESPBOT_STORE_DRIVER": "mongo"}, code: 1,
			stdout: []string{"ESPBOT_SLACK_ENABLED: ", "ESPBOT_LOG_LEVEL: ", "ESPBOT_STORE_DRIVER: "}, stderr: []string{"3 problem(s)"}},
		{name: "config check catches a store path under a file", args: []string{"config", "check", storeUnderFile}, code: 1,
			stdout: []string{storeUnderFile + ":2: store.path: " + filepath.Join(dir, "afile", "espbot.db") + " cannot be created: " + filepath.Join(dir, "afile") + " is a file, not a folder"}},
		{name: "config check catches a store path that is a folder", args: []string{"config", "check", storeIsFolder}, code: 1,
			stdout: []string{storeIsFolder + ":2: store.path: " + dir + " is a folder: name the database file in it"}},
		{name: "a store path from the environment is named by its variable", args: []string{"config", "check", cfg},
			env: map[string]string{"ESPBOT_STORE_PATH": filepath.Join(dir, "afile", "x.db")}, code: 1, stdout: []string{"ESPBOT_STORE_PATH: " + filepath.Join(dir, "afile", "x.db") + " cannot be created"}},
		{name: "config check's flag after the file", args: []string{"config", "check", cfg, "--print"}, stdout: []string{"level: info", "ok\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string { return tt.env[k] }
			err := run(context.Background(), tt.args, getenv, strings.NewReader(""), &stdout, &stderr)
			code := exitCode(err, &stderr)
			if code != tt.code {
				t.Errorf("exit status %d, want %d", code, tt.code)
			}
			inOrder(t, "stdout", stdout.String(), tt.stdout)
			inOrder(t, "stderr", stderr.String(), tt.stderr)
			if tt.noStdout && stdout.Len() > 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			if tt.noStderr && stderr.Len() > 0 {
				t.Errorf("stderr %q, want nothing", stderr.String())
			}
			if n := strings.Count(stdout.String()+stderr.String(), "Usage:"); n > 1 {
				t.Errorf("usage printed %d times", n)
			}
		})
	}
}

// writeIn writes a file of the test in dir and returns its path.
func writeIn(tb testing.TB, dir, name, data string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// inOrder checks that s holds the parts, in that order.
func inOrder(tb testing.TB, name, s string, parts []string) {
	tb.Helper()
	rest := s
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			tb.Errorf("%s lacks %q (in order):\n%s", name, p, s)
			return
		}
		rest = rest[i+len(p):]
	}
}
