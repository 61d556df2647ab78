package bot

import (
	"context"
	"fmt"
	"testing"
)

func BenchmarkBot_Handle(b *testing.B) {
	ix := testIndex(b)
	title := entryLike(b, ix, "HTTP hosting").Title
	bt := New(Config{}, ix, nil, nil)
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
			i := 0
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
