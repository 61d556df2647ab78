package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCheckArgs runs "espbot check ARGS..." with buffers.
func runCheckArgs(tb testing.TB, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	getenv := func(string) string { return "" }
	err = run(context.Background(), append([]string{"check"}, args...), getenv, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// checkDir writes a folder with a good page, a page with warnings and a
// page that is not UTF-8.
func checkDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	files := map[string]string{
		"good.rst":     "Good\n====\n\nDoes it work?\n-------------\n\n  Yes.\n",
		"sub/warn.rst": "Warn\n====\n\nDoes ES32 work?\n-------------\n\n--------\n\nWhat is `x <https://a b>`_?\n------------\n\n  See :ref:`nowhere`.\n",
		"sub/bad.rst":  "Bad\n===\n\nQ?\n----\n\n  caf\xe9\n",
		"notes.txt":    "not a page",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestCheck_Default(t *testing.T) {
	t.Parallel()
	out, _, err := runCheckArgs(t)
	if err != nil {
		t.Fatalf("check on the embedded FAQ: %v", err)
	}
	for _, want := range []string{
		"embedded:protocols.rst: 32 entries\n",
		`embedded:protocols.rst:333: warning: possibly misspelled chip name "ES32"`,
		"embedded:protocols.rst:336: warning: URL contains a space",
		"total: 32 entries in 1 file, 0 errors, 2 warnings\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheck_Errors(t *testing.T) {
	t.Parallel()
	dir := checkDir(t)
	out, _, err := runCheckArgs(t, "--knowledge", filepath.Join(dir, "good.rst"), "--knowledge", filepath.Join(dir, "sub"))
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit status 1", err)
	}
	for _, want := range []string{
		"good.rst: 1 entry\n",
		"bad.rst: 1 entry\n",
		"bad.rst:7: error: not valid UTF-8",
		"warn.rst:4: warning: empty answer",
		"warn.rst:4: warning: possibly misspelled chip name \"ES32\"",
		"warn.rst:9: warning: URL contains a space",
		"warn.rst:12: warning: unresolved :ref: to label \"nowhere\"",
		"total: 4 entries in 3 files, 1 error, 4 warnings\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "notes.txt") {
		t.Errorf("a non-.rst file in a folder was read:\n%s", out)
	}
}

func TestCheck_JSON(t *testing.T) {
	t.Parallel()
	dir := checkDir(t)
	out, _, err := runCheckArgs(t, "--json", "--knowledge", filepath.Join(dir, "sub"))
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit status 1", err)
	}
	var got struct {
		Files []struct {
			Path    string `json:"path"`
			Entries *int   `json:"entries"`
		} `json:"files"`
		Entries *int `json:"entries"`
		Errors  []struct {
			Path    string `json:"path"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"errors"`
		Warnings []json.RawMessage `json:"warnings"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	if len(got.Files) != 2 || got.Entries == nil || *got.Entries != 3 {
		t.Errorf("files %+v entries %v: want 2 files, 3 entries", got.Files, got.Entries)
	}
	if len(got.Errors) != 1 || !strings.HasSuffix(got.Errors[0].Path, "bad.rst") || got.Errors[0].Line != 7 {
		t.Errorf("errors = %+v", got.Errors)
	}
	if len(got.Warnings) != 4 {
		t.Errorf("got %d warnings, want 4", len(got.Warnings))
	}
}

func TestCheck_JSONEmptyLists(t *testing.T) {
	t.Parallel()
	dir := checkDir(t)
	out, _, err := runCheckArgs(t, "--json", "--knowledge", filepath.Join(dir, "good.rst"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"errors": []`, `"warnings": []`, `"entries": 1`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s:\n%s", want, out)
		}
	}
}

func TestCheck_Usage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr error
		stdout  string
		stderr  string
	}{
		{"help", []string{"-h"}, nil, "Usage: espbot check", ""},
		{"unknown flag", []string{"--bogus"}, errUsage, "", "Usage: espbot check"},
		{"positional", []string{"page.rst"}, errUsage, "", `unexpected argument "page.rst"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, err := runCheckArgs(t, tt.args...)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stdout %q, stderr %q", out, errOut)
			}
		})
	}
}

func TestCheck_MissingPath(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope")
	out, _, err := runCheckArgs(t, "--knowledge", missing)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit status 1", err)
	}
	if !strings.Contains(out, missing+": error: cannot read") {
		t.Errorf("output does not name the path:\n%s", out)
	}
	if exitCode(err, &bytes.Buffer{}) != 1 {
		t.Errorf("exit code %d, want 1", exitCode(err, &bytes.Buffer{}))
	}
}
