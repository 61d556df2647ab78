package slack

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/espbot/espbot/bot/slack/slacktest"
	"github.com/espbot/espbot/knowledge"
)

// The reply latency: from an event sent by the fake Slack to the bot's reply
// reaching the fake, through the real slack-go client, the core and the
// renderer. Run with -benchtime=1000x for the figure over 1,000 events; the
// median and 90th percentile are reported as custom metrics.

// benchEntries is the embedded FAQ plus the test entries, so that the
// matcher works on a realistic index.
func benchEntries(tb testing.TB) []knowledge.Entry {
	tb.Helper()
	base, err := knowledge.LoadDefault()
	if err != nil {
		tb.Fatalf("LoadDefault: %v", err)
	}
	return append(append([]knowledge.Entry(nil), base.Entries...), testEntries...)
}

func BenchmarkLatency_Socket(b *testing.B) {
	h := startOver(b, ModeSocket, benchEntries(b))
	ctx := h.ctx(b)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		ev := mention(fmt.Sprintf("C%d", i), fmt.Sprintf("%d.000001", 1000+i), testEntries[i%len(testEntries)].Title)
		ev["user"] = fmt.Sprintf("U%d", i)
		sent := time.Now()
		if _, err := h.fake.SendEvent(ctx, slacktest.EventCallback(fmt.Sprintf("EvB%d", i), ev)); err != nil {
			b.Fatal(err)
		}
		c := h.next(b)
		lat = append(lat, c.At.Sub(sent))
		if got, want := headerText(c.Blocks()), testEntries[i%len(testEntries)].Title; got != want {
			b.Fatalf("reply %d answers %q, want %q", i, got, want)
		}
	}
	b.StopTimer()
	report(b, lat)
}

func BenchmarkLatency_HTTP(b *testing.B) {
	h := startOver(b, ModeHTTP, benchEntries(b))
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		ev := mention(fmt.Sprintf("C%d", i), fmt.Sprintf("%d.000001", 1000+i), testEntries[i%len(testEntries)].Title)
		ev["user"] = fmt.Sprintf("U%d", i)
		body := mustJSON(b, slacktest.EventCallback(fmt.Sprintf("EvB%d", i), ev))
		sent := time.Now()
		if code, _ := h.post(b, "/slack/events", jsonType, body, sent, nil); code != http.StatusOK {
			b.Fatalf("status %d", code)
		}
		c := h.next(b)
		lat = append(lat, c.At.Sub(sent))
		if got, want := headerText(c.Blocks()), testEntries[i%len(testEntries)].Title; got != want {
			b.Fatalf("reply %d answers %q, want %q", i, got, want)
		}
	}
	b.StopTimer()
	report(b, lat)
}

func report(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "median-ms")
	b.ReportMetric(ms(lat[len(lat)*9/10]), "p90-ms")
	b.ReportMetric(0, "ns/op") // the loop time includes the fake's own work
}

// BenchmarkHTTP_Reject measures what a rejected request costs the bot, with
// a 900 KB body: a stale timestamp is refused before the body is read; a
// wrong signature (fresh timestamp) has to be hashed.
func BenchmarkHTTP_Reject(b *testing.B) {
	a := newAdapter(Config{Mode: ModeHTTP, SigningSecret: slacktest.SigningSecret}, &fakeCore{}, nil, &fakeAPI{}, nil, nil)
	mux := http.NewServeMux()
	a.Mount(mux)
	body := bytes.Repeat([]byte("x"), 900<<10)
	for name, at := range map[string]time.Time{"stale-timestamp": time.Now().Add(-time.Hour), "bad-signature": time.Now()} {
		b.Run(name, func(b *testing.B) {
			signed, err := slacktest.SignedRequest("http://x/slack/events", jsonType, "wrong-secret", at, body)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
				req.Header = signed.Header
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, req)
				if w.Code != http.StatusUnauthorized {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
