package knowledge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSectionID(t *testing.T) {
	t.Parallel()
	tests := []struct{ title, want string }{
		// The anchor esp-faq's own wifi page links to.
		{"[Connect] While ESP32 connecting Wi-Fi, how can I determine the reason of failure by error codes?",
			"connect-while-esp32-connecting-wi-fi-how-can-i-determine-the-reason-of-failure-by-error-codes"},
		{"How to optimize communication latency for ESP32？", "how-to-optimize-communication-latency-for-esp32"},
		{"Does ESP8285 support CCS (Cisco Compatible eXtensions)?", "does-esp8285-support-ccs-cisco-compatible-extensions"},
		{"What is the default MTU of LWIP for an ESP32?", "what-is-the-default-mtu-of-lwip-for-an-esp32"},
		{"  esp_wifi_set_ps()   returns ESP_ERR_WIFI_NOT_INIT ", "esp-wifi-set-ps-returns-esp-err-wifi-not-init"},
		{"3 ways to reach 192.168.4.1", "ways-to-reach-192-168-4-1"},
		{"-- café Straße œuvre ø", "cafe-strasze-oeuvre-o"},
		{"doesn’t it", "doesnt-it"},
		{"为什么 Wi-Fi 断开？", "wi-fi"},
		{"为什么？", ""},
	}
	for _, tt := range tests {
		if got := sectionID(tt.title); got != tt.want {
			t.Errorf("sectionID(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestAnchors_DuplicatesAndEmpty(t *testing.T) {
	t.Parallel()
	a := newAnchors("Wi-Fi")
	got := []string{a.next("Wi-Fi"), a.next("How?"), a.next("how"), a.next("为什么？"), a.next("Other")}
	want := []string{"id1", "how", "id2", "id3", "other"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("anchors = %v, want %v", got, want)
	}
}

func TestLoad_EmbeddedPageURL(t *testing.T) {
	t.Parallel()
	kb, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	e := kb.Entries[0]
	if want := DefaultBaseURL + "software-framework/protocols.html#does-esp8266-openssl-support-hostname-validation"; e.URL != want {
		t.Errorf("URL = %q, want %q", e.URL, want)
	}
	if e.Source.Page != EmbeddedPath {
		t.Errorf("page = %q", e.Source.Page)
	}
	mirror, err := LoadDefaultWith(Options{BaseURL: "https://faq.example/en"})
	if err != nil {
		t.Fatal(err)
	}
	if u := mirror.Entries[0].URL; !strings.HasPrefix(u, "https://faq.example/en/software-framework/protocols.html#") {
		t.Errorf("with a base URL: %q", u)
	}
}

// writePage writes a one-entry page at dir/rel.
func writePage(tb testing.TB, dir, rel, title string) string {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	src := "Page\n====\n\n" + title + "\n" + strings.Repeat("-", len(title)+2) + "\n\n  The answer.\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestLoad_PagePathsAndURLs(t *testing.T) {
	t.Parallel()
	checkout := t.TempDir()
	docs := filepath.Join(checkout, "docs", "en")
	writePage(t, docs, "index.rst", "Index question?")
	wifi := writePage(t, docs, "software-framework/wifi.rst", "[Scan] How do I scan?")
	plain := t.TempDir()
	own := writePage(t, plain, "sub/own.rst", "Our own question?")

	tests := []struct {
		name     string
		opts     Options
		path     string
		page     string
		url      string
		wantFrom string // the file whose entry is checked
	}{
		{"checkout root", Options{}, checkout, "software-framework/wifi.rst",
			DefaultBaseURL + "software-framework/wifi.html#scan-how-do-i-scan", wifi},
		{"docs folder", Options{}, docs, "software-framework/wifi.rst",
			DefaultBaseURL + "software-framework/wifi.html#scan-how-do-i-scan", wifi},
		{"one file of a checkout", Options{}, wifi, "software-framework/wifi.rst",
			DefaultBaseURL + "software-framework/wifi.html#scan-how-do-i-scan", wifi},
		{"a folder of our own", Options{}, plain, "sub/own.rst", "", own},
		{"a file of our own", Options{}, own, "own.rst", "", own},
		{"our own with a base URL", Options{BaseURL: "https://wiki.example/faq/"}, plain, "sub/own.rst",
			"https://wiki.example/faq/sub/own.html#our-own-question", own},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kb, err := LoadWith(tt.opts, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range kb.Entries {
				if e.Source.Path != tt.wantFrom {
					continue
				}
				if e.Source.Page != tt.page || e.URL != tt.url {
					t.Errorf("page %q url %q, want %q %q", e.Source.Page, e.URL, tt.page, tt.url)
				}
				return
			}
			t.Fatalf("no entry from %s in %+v", tt.wantFrom, kb.Files)
		})
	}
}

func TestLoad_SizeLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	long := filepath.Join(dir, "long.rst")
	answer := strings.Repeat("  A long answer line of about fifty bytes, again.\n", 30)
	src := "Page\n====\n\nShort?\n--------\n\n  Yes.\n\nLong?\n--------\n\n" + answer
	if err := os.WriteFile(long, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.rst")
	if err := os.WriteFile(huge, []byte(src+src), 0o644); err != nil {
		t.Fatal(err)
	}
	kb, err := LoadWith(Options{MaxAnswerBytes: 1000, MaxPageBytes: len(src) + 10}, long, huge)
	if err == nil {
		t.Fatal("limits exceeded without an error")
	}
	var got []string
	for _, p := range kb.Problems {
		if p.Severity == Error {
			got = append(got, p.String())
		}
	}
	want := []string{
		long + ":9: answer longer than 1000 bytes (1501 bytes): shorten it or split the question",
		huge + ":44: page larger than " + sizeName(len(src)+10) + ": split it into smaller pages",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range kb.Entries {
		if e.Source.Path == huge {
			t.Errorf("the oversized page was parsed: %s", e.Title)
		}
	}
	if ok, _ := LoadWith(Options{}, long); len(ok.Entries) != 2 {
		t.Errorf("default limits: %d entries", len(ok.Entries))
	}
}

func TestSizeName(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{2 << 20: "2 MiB", 64 << 10: "64 KiB", 1000: "1000 bytes", 1500 << 10: "1500 KiB"} {
		if got := sizeName(n); got != want {
			t.Errorf("sizeName(%d) = %q, want %q", n, got, want)
		}
	}
}
