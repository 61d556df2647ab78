package lineedit

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func entries(h *History) []string {
	var out []string
	for i := range h.Len() {
		out = append(out, h.At(i))
	}
	return out
}

func TestHistory_Add(t *testing.T) {
	h := NewHistory(3)
	for _, s := range []string{"a", "", "  ", "b", "b", "c", "d"} {
		h.Add(s)
	}
	if got, want := entries(h), []string{"b", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q (blank and repeated lines skipped, oldest dropped)", got, want)
	}
}

func TestLoadHistory_roundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "espbot", "history")
	h, err := LoadHistory(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	added := []string{"what is the mtu", "line one\nline two", `C:\path\n not a newline`}
	for _, s := range added {
		h.Add(s)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", fi.Mode().Perm())
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Errorf("history folder mode %v, want 0700", dir.Mode().Perm())
	}
	h2, err := LoadHistory(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if got := entries(h2); !reflect.DeepEqual(got, added) {
		t.Errorf("reloaded %q, want %q", got, added)
	}
}

func TestLoadHistory_boundsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	var lines []string
	for i := range 25 {
		lines = append(lines, strings.Repeat("q", i+1))
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := LoadHistory(path, 5)
	if err != nil {
		t.Fatal(err)
	}
	h.Add("new")
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(append(lines[20:], "new"), "\n") + "\n"
	if string(data) != want {
		t.Errorf("file after load and add:\n%s\nwant:\n%s", data, want)
	}
}

func TestLoadHistory_errors(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	long := filepath.Join(dir, "long")
	if err := os.WriteFile(long, []byte("ok\n"+strings.Repeat("x", 2<<20)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"folder is a file", filepath.Join(notDir, "history"), "not a directory"},
		{"line too long", long, long + ": line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadHistory(tc.path, 10)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestEncodeEntry(t *testing.T) {
	for _, s := range []string{"", "plain", "a\nb", `back\slash`, `\n literal`, "trailing\\", "\n\n"} {
		enc := encodeEntry(s)
		if strings.Contains(enc, "\n") {
			t.Errorf("encodeEntry(%q) = %q has a line break", s, enc)
		}
		if got := decodeEntry(enc); got != s {
			t.Errorf("decodeEntry(encodeEntry(%q)) = %q", s, got)
		}
	}
}
