package discord

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/espbot/espbot/bot/discord/discordtest"
)

// BenchmarkAdapter_MentionReplyLatency measures, for one mention at a time, the
// time from the fake writing MESSAGE_CREATE to the gateway socket to the
// reply's POST reaching the fake: the adapter's gateway reader and lanes,
// the core's matcher, the renderer, the channel's outbox and discordgo's REST
// client. It reports
// the median and the 90th and 99th percentiles; the figure of issue 5 is the
// median over 1,000 messages:
//
//	go test ./bot/discord -run '^$' -bench Latency -benchtime 1000x
func BenchmarkAdapter_MentionReplyLatency(b *testing.B) {
	h := start(b, harnessOpts{})
	questions := []string{entry(b, 0).Title, entry(b, 1).Title, entry(b, 2).Title, offTopic}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		from := h.srv.Len()
		id, sentAt := h.srv.SendMessage(mention(h, mentionChan, questions[i%len(questions)]))
		r := h.srv.AwaitFrom(b, from, "reply", func(r discordtest.Request) bool {
			return discordtest.IsMessageTo(mentionChan)(r) && refersTo(r, id)
		})
		lat = append(lat, r.At.Sub(sentAt))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "ms-median")
	b.ReportMetric(pct(0.9), "ms-p90")
	b.ReportMetric(pct(0.99), "ms-p99")
}

// refersTo reports whether a sent message replies to message id.
func refersTo(r discordtest.Request, id string) bool {
	var m struct {
		Ref *struct {
			MessageID string `json:"message_id"`
		} `json:"message_reference"`
	}
	return json.Unmarshal(r.Body, &m) == nil && m.Ref != nil && m.Ref.MessageID == id
}
