package bot

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"
)

func BenchmarkBot_Handle(b *testing.B) {
	ix := testIndex(b)
	title := entryLike(b, ix, "HTTP hosting").Title
	bt := New(Config{}, ix, nil, nil)
	// Event IDs are unique across runs (-count reruns the sub-benchmarks on
	// the same core): a repeated ID is a redelivery, ignored at once.
	i := 0
	for _, bc := range []struct {
		name string
		text string
	}{
		{"answer", "<@123> **" + title + "**"},
		{"no_match", "<@123> " + offTopic},
		{"help", "<@123> help"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				i++
				bt.Handle(context.Background(), Message{Platform: Discord, Channel: "c", User: "u", EventID: fmt.Sprint(bc.name, i), Text: bc.text, MentionsBot: true})
			}
		})
	}
}

func BenchmarkClean(b *testing.B) {
	text := "<@123> > quoted line\n**Why** does `esp_wifi_connect` fail? see <https://docs.espressif.com|docs>\n```\nE (1234) wifi: sta disconnected, reason 201\n```"
	b.ReportAllocs()
	for b.Loop() {
		Clean(Slack, text)
	}
}

// BenchmarkMemoryState_Claim is the cost of de-duplicating one event in
// memory, and the heap it holds (an hour at 1,000 events a second is 3.6
// million claims).
func BenchmarkMemoryState_Claim(b *testing.B) {
	s := NewMemoryState(0)
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	i := 0
	for b.Loop() {
		s.Claim(ctx, "slack\x00Ev"+strconv.Itoa(i), now, now.Add(time.Hour))
		i++
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(i), "heap-B/claim")
	runtime.KeepAlive(s)
}
