package bot

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// fixtureEntries are a few real entries of the embedded FAQ, written by
// hand, used only while knowledge.LoadDefault is unavailable.
func fixtureEntries() []knowledge.Entry {
	mk := func(id, title, body string) knowledge.Entry {
		return knowledge.Entry{
			ID: id, Title: title, Category: "Protocols",
			Body:   knowledge.Doc{Blocks: []knowledge.Block{{Kind: knowledge.Paragraph, Inlines: []knowledge.Inline{{Kind: knowledge.Text, Text: body}}}}},
			Source: knowledge.Source{Path: "embedded:protocols.rst", Line: 18},
		}
	}
	return []knowledge.Entry{
		mk("ssl-hostname", "Does ESP8266 OpenSSL support Hostname validation?", "Yes. ESP8266 OpenSSL is based on mbedTLS encapsulation."),
		mk("latency", "How to optimize communication latency for ESP32?", "Turn off Wi-Fi power save with esp_wifi_set_ps(WIFI_PS_NONE)."),
		mk("ccx", "Does ESP8285 support CCS (Cisco Compatible eXtensions)?", "No, it doesn't."),
		mk("http-hosting", "Does ESP8266 support HTTP hosting?", "Yes, it does. ESP8266 can run as a server in both SoftAP and Station modes."),
		mk("lora", "Does ESP32 support LoRa (Long Range Radio) communication?", "No, the ESP32 itself does not have the LoRa protocol stack."),
		mk("tcp-release", "How soon can the associated resources be released after the TCP connection is closed?", "In 20 seconds."),
		mk("mqtt-server", "How to configure the server address so as to make it an autonomic cloud platform by using MQTT?", "Please refer to MQTT Examples."),
		mk("sntp-errors", "After the SNTP calibration for ESP8266 RTOS SDK v3.2, errors gradually increase. How to resolve such issue?", "Resynchronize time regularly."),
	}
}

// testIndex is a real index over the embedded FAQ (or, until the parser
// lands, over fixtureEntries).
func testIndex(tb testing.TB) *matcher.Index {
	tb.Helper()
	entries := fixtureEntries()
	if kb, err := knowledge.LoadDefault(); err == nil && len(kb.Entries) > 0 {
		entries = kb.Entries
	}
	ix, err := matcher.New(entries, matcher.Options{})
	if err != nil {
		tb.Fatalf("build index: %v", err)
	}
	return ix
}

// entryLike returns the entry whose title contains s.
func entryLike(tb testing.TB, ix *matcher.Index, s string) *knowledge.Entry {
	tb.Helper()
	entries := ix.Entries()
	for i := range entries {
		if strings.Contains(strings.ToLower(entries[i].Title), strings.ToLower(s)) {
			return &entries[i]
		}
	}
	tb.Fatalf("no entry title contains %q", s)
	return nil
}

// fakeClock is a settable clock for cooldowns and de-duplication.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recordingMetrics counts what the core reports. PanicOnQuestion makes
// Question panic, to exercise panic recovery with a real dependency.
type recordingMetrics struct {
	mu              sync.Mutex
	questions       int
	replies         map[Kind]int
	errors          map[string]int
	feedback        map[FeedbackKind]int
	panicOnQuestion bool
}

func newRecordingMetrics() *recordingMetrics {
	return &recordingMetrics{replies: map[Kind]int{}, errors: map[string]int{}, feedback: map[FeedbackKind]int{}}
}

func (m *recordingMetrics) Question(Platform) {
	m.mu.Lock()
	m.questions++
	p := m.panicOnQuestion
	m.mu.Unlock()
	if p {
		panic("metrics exploded")
	}
}

func (m *recordingMetrics) Replied(_ Platform, k Kind, _ float64, latency time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if latency < 0 {
		panic("negative latency")
	}
	m.replies[k]++
}

func (m *recordingMetrics) Feedback(_ Platform, k FeedbackKind) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feedback[k]++
}

func (m *recordingMetrics) Reconnect(Platform) {}

func (m *recordingMetrics) Error(_ Platform, where string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errors[where]++
}

func (m *recordingMetrics) Reload(bool) {}

var _ Metrics = (*recordingMetrics)(nil)

// docText flattens a Doc to the text of its inlines and code, to check what
// a reply says.
func docText(d knowledge.Doc) string {
	var b strings.Builder
	var blocks func([]knowledge.Block)
	blocks = func(bs []knowledge.Block) {
		for _, bl := range bs {
			for _, in := range bl.Inlines {
				b.WriteString(in.Text)
				b.WriteString(in.URL)
			}
			b.WriteString(bl.Code)
			for _, it := range bl.Items {
				blocks(it)
			}
			for _, row := range bl.Rows {
				for _, cell := range row {
					for _, in := range cell {
						b.WriteString(in.Text)
					}
				}
			}
			b.WriteString("\n")
		}
	}
	blocks(d.Blocks)
	return b.String()
}
