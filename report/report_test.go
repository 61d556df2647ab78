package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/internal/faqtest"
	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	faqtest.Golden(tb, filepath.Join("testdata", name), got, *update)
}

// fixtureLines reads testdata lines, skipping blanks and # comments.
func fixtureLines(tb testing.TB, name string) []string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func TestClusterQuestions_Golden(t *testing.T) {
	t.Parallel()
	cs := Cluster(matcher.NewTermAnalyzer(), fixtureLines(t, "unanswered.txt"))
	var b bytes.Buffer
	for _, c := range cs {
		fmt.Fprintf(&b, "%d [%s]\n", c.Count, strings.Join(c.Terms, " "))
		for _, ex := range c.Examples {
			fmt.Fprintf(&b, "    %s\n", ex)
		}
	}
	golden(t, "clusters.golden", b.Bytes())
}

func TestClusterQuestions(t *testing.T) {
	t.Parallel()
	a := matcher.NewTermAnalyzer()
	tests := []struct {
		name string
		in   []string
		want string // "count:first example" per cluster
	}{
		{"identical questions count together", []string{"OTA fails?", "ota fails", "ota   FAILS"}, "[3:OTA fails?]"},
		{"largest first", []string{"zigbee wifi", "ota fails", "ota fails badly", "ota fails"}, "[3:ota fails 1:zigbee wifi]"},
		{"one shared stem of two is not enough", []string{"wifi scan", "wifi disconnect"}, "[1:wifi disconnect 1:wifi scan]"},
		{"stop words only are left out", []string{"hello?", "how is it"}, "[]"},
		{"none", nil, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Cluster(a, tt.in) {
				got = append(got, fmt.Sprintf("%d:%s", c.Count, c.Examples[0]))
			}
			if s := fmt.Sprint(got); s != tt.want {
				t.Errorf("clusters %s, want %s", s, tt.want)
			}
		})
	}
}

// reportFixture is a week of recorded activity.
func reportFixture(tb testing.TB) Input {
	tb.Helper()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	in := Input{Since: t0, Titles: map[string]string{
		"wifi-1": "How to reconnect after Wi-Fi drops?", "ota-1": "How to do OTA over HTTPS?", "mqtt-1": "Does ESP-MQTT support TLS?",
	}}
	add := func(platform, kind, entry, category, text string, conf float64) {
		in.Questions = append(in.Questions, store.Question{Time: t0.Add(time.Duration(len(in.Questions)) * time.Minute),
			Platform: platform, Kind: kind, EntryID: entry, Category: category, Text: text, Confidence: conf})
	}
	for range 3 {
		add("discord", store.KindAnswer, "wifi-1", "wifi", "wifi drops every hour", 0.9)
	}
	add("slack", store.KindAnswer, "ota-1", "system", "ota | https?", 0.7)
	add("slack", store.KindAnswer, "mqtt-1", "protocols", "mqtt tls @everyone", 0.95)
	for i, q := range fixtureLines(tb, "unanswered.txt") {
		add([]string{"discord", "slack"}[i%2], store.KindNoMatch, "", "", q, 0.1)
	}
	add("slack", store.KindSuggestions, "", "", "", 0.3) // text not recorded
	fb := func(kind, entry, query string) {
		in.Feedback = append(in.Feedback, store.Feedback{Time: t0, Platform: "discord", Kind: kind, EntryID: entry, Query: query})
	}
	fb(store.FeedbackDown, "ota-1", "")
	fb(store.FeedbackDown, "ota-1", "")
	fb(store.FeedbackUp, "ota-1", "")
	fb(store.FeedbackDown, "wifi-1", "")
	fb(store.FeedbackUp, "mqtt-1", "")
	in.Candidates = []store.Candidate{{EntryID: "ota-1", Text: "firmware update over `https`", Count: 3}, {EntryID: "zzz-9", Text: "x", Count: 1}}
	return in
}

func TestReport_Golden(t *testing.T) {
	t.Parallel()
	r := Build(reportFixture(t), time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC), Options{Top: 5, Low: 0.8})
	for _, format := range []string{"text", "md", "json"} {
		var b bytes.Buffer
		if err := Write(&b, r, format); err != nil {
			t.Fatal(err)
		}
		golden(t, "report."+format, b.Bytes())
	}
	if r.Questions != 24 || r.Answered != 5 || r.NoText != 1 {
		t.Errorf("questions %d, answered %d, without text %d", r.Questions, r.Answered, r.NoText)
	}
	if len(r.DownVoted) != 2 || r.DownVoted[0].Entry != "ota-1" || r.DownVoted[0].Down != 2 {
		t.Errorf("down-voted %+v, want ota-1 first with 2", r.DownVoted)
	}
	if len(r.LowConfidence) != 1 || r.LowConfidence[0].Entry != "ota-1" {
		t.Errorf("low confidence %+v, want the ota-1 answer at 0.7", r.LowConfidence)
	}
	if err := Write(io.Discard, r, "xml"); err == nil {
		t.Error("an unknown format was written")
	}
}

// TestRead reads what a store recorded since a time.
func TestRead(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), store.Options{Driver: store.SQLite, Path: filepath.Join(t.TempDir(), "r.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	err = st.Write(context.Background(), store.Batch{
		Questions: []store.Question{
			{Time: now.Add(-time.Hour), Platform: "slack", Kind: store.KindNoMatch, Text: "zigbee coexistence with wifi"},
			{Time: now.Add(-30 * 24 * time.Hour), Platform: "slack", Kind: store.KindNoMatch, Text: "too old to report"},
		},
		Feedback: []store.Feedback{{Time: now, Platform: "slack", Kind: store.FeedbackOther, EntryID: "e1", Query: "zigbee and wifi"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	in, err := Read(context.Background(), st, now.Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Questions) != 1 || len(in.Feedback) != 1 || len(in.Candidates) != 1 || in.Candidates[0].Text != "zigbee and wifi" {
		t.Errorf("input %+v", in)
	}
}
