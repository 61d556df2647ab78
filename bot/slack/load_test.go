package slack

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/espbot/espbot/bot/slack/slacktest"
)

// overloaded starts an adapter with little room (2 workers, 4 queued, 200
// ms per call) against a Slack whose chat.postMessage hangs.
func overloaded(t *testing.T, mode Mode) *harness {
	t.Helper()
	h := startWith(t, setup{mode: mode, tune: fastRetries, edit: func(c *Config) {
		c.CallTimeout, c.MaxInFlight, c.MaxQueued = 200*time.Millisecond, 2, 4
	}})
	h.fake.Stall("chat.postMessage")
	return h
}

// peakGoroutines samples the number of goroutines until stop is closed.
func peakGoroutines(stop <-chan struct{}) <-chan int {
	out := make(chan int, 1)
	go func() {
		peak := 0
		for {
			peak = max(peak, runtime.NumGoroutine())
			select {
			case <-stop:
				out <- peak
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return out
}

func TestHTTP_HangingSlackStaysBounded(t *testing.T) {
	t.Parallel()
	h := overloaded(t, ModeHTTP)
	before := runtime.NumGoroutine()
	stop := make(chan struct{})
	peak := peakGoroutines(stop)
	const events, senders = 400, 8
	var slow atomic.Int64
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := s; i < events; i += senders {
				body := mustJSON(t, slacktest.EventCallback(fmt.Sprintf("EvFlood%d", i), mention("C1", fmt.Sprintf("%d.000001", 2000+i), testEntries[0].Title)))
				sent := time.Now()
				if code, _ := h.post(t, "/slack/events", jsonType, body, sent, nil); code != http.StatusOK {
					t.Errorf("event %d: status %d", i, code)
				}
				if time.Since(sent) > time.Second {
					slow.Add(1)
				}
			}
		})
	}
	healthy := 0
	for range 20 {
		resp, err := http.Get(h.http.URL + "/healthz")
		if err == nil && resp.StatusCode == http.StatusOK {
			healthy++
		}
		if err == nil {
			resp.Body.Close()
		}
	}
	wg.Wait()
	form := fmt.Sprintf("command=%%2Ffaq&text=mqtt&team_id=%s&channel_id=C1&user_id=U1&response_url=%s&trigger_id=t", slacktest.TeamID, h.fake.ResponseURL())
	code, busy := h.post(t, "/slack/commands", formType, []byte(form), time.Now(), nil)
	close(stop)

	if n := slow.Load(); n > 0 {
		t.Errorf("%d events waited more than a second for their ack", n)
	}
	if healthy != 20 {
		t.Errorf("%d of 20 health checks answered during the flood", healthy)
	}
	grew := <-peak - before
	if grew > 150 {
		t.Errorf("%d more goroutines during the flood, want a bounded number", grew)
	}
	shed := h.metrics.count(func(m *testMetrics) int { return m.errors["shed"] })
	if shed < events/2 {
		t.Errorf("%d events shed of %d, want most of them", shed, events)
	}
	t.Logf("%d events with Slack hanging: %d shed, at most %d more goroutines, every ack within a second", events, shed, grew)
	if code != http.StatusOK || !strings.Contains(busy, busyText) {
		t.Errorf("/faq while overloaded: %d %q, want a busy message", code, busy)
	}

	// Slack answers again: the bot recovers.
	h.fake.Unstall("chat.postMessage")
	ev := mustJSON(t, slacktest.EventCallback("EvBack", mention("C1", "3000.000001", testEntries[1].Title)))
	deadline := time.Now().Add(waitFor)
	for !answeredIn(h.fake.Calls(), "3000.000001") {
		if time.Now().After(deadline) {
			t.Fatal("no answer after Slack recovered")
		}
		h.post(t, "/slack/events", jsonType, ev, time.Now(), nil) // shed until the queue drains; Slack would retry
		time.Sleep(50 * time.Millisecond)
	}
}

func answeredIn(calls []slacktest.Call, thread string) bool {
	for _, c := range calls {
		if c.Method == "chat.postMessage" && c.Error == "" && c.Form.Get("thread_ts") == thread {
			return true
		}
	}
	return false
}

func TestSocket_FloodIsAckedAndShed(t *testing.T) {
	t.Parallel()
	h := overloaded(t, ModeSocket)
	ctx := h.ctx(t)
	const events = 300
	go func() {
		for i := range events {
			ev := mention("C1", fmt.Sprintf("%d.000001", 4000+i), testEntries[0].Title)
			if _, err := h.fake.SendEvent(ctx, slacktest.EventCallback(fmt.Sprintf("EvS%d", i), ev)); err != nil {
				return
			}
		}
	}()
	acked := 0
	for range events {
		if _, err := h.fake.NextAck(ctx); err != nil {
			t.Fatalf("%d of %d envelopes acked: %v", acked, events, err)
		}
		acked++
	}
	env, err := h.fake.SendSlash(ctx, map[string]any{"command": "/faq", "text": "mqtt", "team_id": slacktest.TeamID,
		"channel_id": "C1", "user_id": "U1", "response_url": h.fake.ResponseURL(), "trigger_id": "t-busy"})
	if err != nil {
		t.Fatal(err)
	}
	if ack := h.expectAck(t, env); !strings.Contains(string(ack.Payload), busyText) {
		t.Errorf("/faq while overloaded acked with %s, want a busy message", ack.Payload)
	}
	if n := h.metrics.count(func(m *testMetrics) int { return m.errors["shed"] }); n < events/2 {
		t.Errorf("%d events shed of %d, want most of them", n, events)
	}
	h.fake.Unstall("chat.postMessage")
}
