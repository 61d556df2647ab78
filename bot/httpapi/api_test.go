package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/internal/faqtest"
	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/metrics"
)

const offTopic = "what's a good movie to watch tonight"

func testIndex(tb testing.TB) *matcher.Index { return faqtest.Index(tb) }

// recorder is a bot.Recorder that keeps the questions.
type recorder struct {
	mu sync.Mutex
	qs []bot.QuestionRecord
}

func (r *recorder) RecordQuestion(q bot.QuestionRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.qs = append(r.qs, q)
}
func (r *recorder) RecordFeedback(bot.FeedbackRecord) {}
func (r *recorder) KeepsText() bool                   { return true }

// newTestAPI serves the API over a real core on the embedded FAQ.
func newTestAPI(tb testing.TB, cfg bot.Config, o Options) (*httptest.Server, *metrics.Metrics) {
	tb.Helper()
	m := metrics.New()
	o.Metrics, o.Errors = m.Handler(), m
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1024
	}
	mux := http.NewServeMux()
	New(bot.New(cfg, testIndex(tb), nil, m), o).Mount(mux)
	ts := httptest.NewServer(mux)
	tb.Cleanup(ts.Close)
	return ts, m
}

func post(tb testing.TB, url, body string, header ...string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest("POST", url+"/v1/ask", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("content type %q", ct)
	}
	return resp, string(out)
}

func get(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestAPI_Ask(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	ts, _ := newTestAPI(t, bot.Config{Recorder: rec}, Options{})
	title := "Does ESP8266 support HTTP hosting?"
	tests := []struct {
		name     string
		body     string
		code     int
		answered bool
		err      string // the whole error message, in the client's terms
	}{
		{"a title", `{"question": "` + title + `"}`, 200, true, ""},
		{"off-topic", `{"question": "` + offTopic + `"}`, 200, false, ""},
		{"bad JSON", `{"question": `, 400, false, `the body is not valid JSON: send {"question": "your question"}`},
		{"garbage", `question=hi`, 400, false, `the body is not valid JSON: send {"question": "your question"}`},
		{"not an object", `["q"]`, 400, false, `the body must be a JSON object: send {"question": "your question"}`},
		{"a number", `{"question": 42}`, 400, false, `"question" must be a string: send {"question": "your question"}`},
		{"unknown field", `{"q": "x"}`, 400, false, `unknown field "q": the only field is "question"`},
		{"empty body", ``, 400, false, `empty body: send {"question": "your question"}`},
		{"missing question", `{}`, 400, false, `"question" is required: send {"question": "your question"}`},
		{"blank question", `{"question": "  "}`, 400, false, `"question" is required: send {"question": "your question"}`},
		{"two objects", `{"question": "a"} {"question": "b"}`, 400, false, `one JSON object only: send {"question": "your question"}`},
		{"trailing garbage", `{"question": "a"} x`, 400, false, `the body is not valid JSON: send {"question": "your question"}`},
		{"too large", `{"question": "` + strings.Repeat("a", 2000) + `"}`, 413, false, "request body larger than 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := post(t, ts.URL, tt.body)
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.code, body)
			}
			if tt.code != 200 {
				var e apiError
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error != tt.err {
					t.Errorf("error %q, want %q", body, tt.err)
				}
				return
			}
			var res bot.AskResult
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatalf("decode %q: %v", body, err)
			}
			if res.Answered != tt.answered || (tt.answered && (res.Answer == nil || res.Answer.Title != title)) || res.Alternatives == nil {
				t.Errorf("result %+v, want answered=%v", res, tt.answered)
			}
			if tt.answered && (!strings.HasPrefix(res.Answer.Source, "embedded:protocols.rst:") || !strings.HasPrefix(res.Answer.URL, "https://")) {
				t.Errorf("source %q url %q", res.Answer.Source, res.Answer.URL)
			}
		})
	}
	t.Run("GET is not allowed", func(t *testing.T) {
		t.Parallel()
		if code, _ := get(t, ts.URL+"/v1/ask"); code != http.StatusMethodNotAllowed {
			t.Errorf("status %d", code)
		}
	})
	t.Cleanup(func() {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.qs) != 2 || rec.qs[0].Platform != bot.HTTP || rec.qs[0].User != "127.0.0.1" {
			t.Errorf("recorded %+v, want the two questions, from 127.0.0.1", rec.qs)
		}
	})
}

func TestAPI_RateLimitPerClient(t *testing.T) {
	t.Parallel()
	ts, _ := newTestAPI(t, bot.Config{ClientCooldown: bot.Cooldown{PerMinute: 1, Burst: 2}}, Options{ClientHeader: "X-Forwarded-For"})
	ask := func(client string) *http.Response {
		resp, _ := post(t, ts.URL, `{"question": "mqtt"}`, "X-Forwarded-For", client+", 10.9.9.9")
		return resp
	}
	for i, want := range []int{200, 200, 429, 429} {
		resp := ask("203.0.113.7")
		if resp.StatusCode != want {
			t.Fatalf("question %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") != "60" {
			t.Errorf("Retry-After %q, want 60", resp.Header.Get("Retry-After"))
		}
	}
	if resp := ask("198.51.100.1"); resp.StatusCode != 200 {
		t.Errorf("another client: %d", resp.StatusCode)
	}
	_, body := get(t, ts.URL+"/metrics")
	for _, want := range []string{`espbot_questions_total{platform="http"} 5`, `espbot_replies_total{kind="notice",platform="http"} 2`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestAPI_HealthAndReady(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	st := Status{Ready: false, Entries: 32, Reasons: []string{"slack not connected"}}
	ts, _ := newTestAPI(t, bot.Config{}, Options{Status: func() Status { mu.Lock(); defer mu.Unlock(); return st }})
	if code, body := get(t, ts.URL+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz %d %s", code, body)
	}
	if code, body := get(t, ts.URL+"/readyz"); code != 503 || !strings.Contains(body, "slack not connected") || !strings.Contains(body, `"adapters":{}`) {
		t.Errorf("readyz %d %s", code, body)
	}
	mu.Lock()
	st = Status{Ready: true, Entries: 32, Adapters: map[string]bool{"slack": true}}
	mu.Unlock()
	if code, body := get(t, ts.URL+"/readyz"); code != 200 || !strings.Contains(body, `"entries":32`) {
		t.Errorf("readyz %d %s", code, body)
	}
}

// panicking is a Core that panics.
type panicking struct{}

func (panicking) Handle(context.Context, bot.Message) bot.Reply { panic("boom") }

func TestAPI_RecoversPanics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	var logs strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	mux := http.NewServeMux()
	New(panicking{}, Options{Errors: m, Log: log}).Mount(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question": "q"}`)))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"error":"internal error"`) {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
