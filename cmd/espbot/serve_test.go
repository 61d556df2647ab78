package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/httpapi"
	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/internal/faqtest"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/metrics"
)

// The helpers below (startServe, startServeEnv, get, waitFor...) are also
// used by the adapters' serve tests (serve_discord_test.go): keep their names.

// serveOffTopic is a question no ESP FAQ entry answers.
const serveOffTopic = "what's a good movie to watch tonight"

// serveTestIndex is a real index over the embedded FAQ.
func serveTestIndex(tb testing.TB) *matcher.Index { return faqtest.Index(tb) }

// serveEntryLike returns the entry whose title contains s.
func serveEntryLike(tb testing.TB, ix *matcher.Index, s string) *knowledge.Entry {
	tb.Helper()
	for i, e := range ix.Entries() {
		if strings.Contains(e.Title, s) {
			return &ix.Entries()[i]
		}
	}
	tb.Fatalf("no entry title contains %q", s)
	return nil
}

// fakeAdapter is an adapter whose readiness and failure the test controls.
type fakeAdapter struct {
	ready   atomic.Bool
	fail    chan error // Run returns what it receives
	stopped atomic.Bool
	mounted bool
	// linger, when set, is a reply in flight: Run returns only once it is
	// closed, after ctx is done.
	linger chan struct{}
}

func newFakeAdapter() *fakeAdapter { return &fakeAdapter{fail: make(chan error, 1)} }

func (f *fakeAdapter) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
		if f.linger != nil {
			<-f.linger
		}
		f.stopped.Store(true)
		return nil
	case err := <-f.fail:
		return err
	}
}

func (f *fakeAdapter) Ready() bool { return f.ready.Load() }

func (f *fakeAdapter) Mount(mux *http.ServeMux) {
	f.mounted = true
	mux.HandleFunc("POST /slack/events", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fake slack") })
}

// newTestServer builds serve's HTTP side over a real index, without
// listening, for httptest.
func newTestServer(tb testing.TB, adapters ...namedAdapter) (*server, *httptest.Server) {
	tb.Helper()
	c := config.Default()
	c.HTTP.MaxBodyBytes = 1024
	m := metrics.New()
	s := &server{cfg: c, bot: bot.New(bot.Config{}, serveTestIndex(tb), nil, m), metrics: m, log: slog.New(slog.DiscardHandler), adapters: adapters}
	ts := httptest.NewServer(s.handler())
	tb.Cleanup(ts.Close)
	return s, ts
}

// get fetches url and returns the status and body.
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

// postAsk posts body to /v1/ask.
func postAsk(tb testing.TB, base, body string) (int, string) {
	tb.Helper()
	resp, err := http.Post(base+"/v1/ask", "application/json", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("content type %q", ct)
	}
	return resp.StatusCode, string(out)
}

func askJSON(tb testing.TB, q string) string {
	tb.Helper()
	b, err := json.Marshal(map[string]string{"question": q})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestServer_HealthReadyMetrics(t *testing.T) {
	t.Parallel()
	slack := newFakeAdapter()
	s, ts := newTestServer(t, namedAdapter{bot.Slack, slack})
	if code, body := get(t, ts.URL+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz %d %s", code, body)
	}
	code, body := get(t, ts.URL+"/readyz")
	if code != 503 || !strings.Contains(body, "slack not connected") {
		t.Errorf("readyz before the adapter connects: %d %s", code, body)
	}
	slack.ready.Store(true)
	code, body = get(t, ts.URL+"/readyz")
	var st httpapi.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != 200 || !st.Ready || st.Entries != s.bot.Index().Len() || !st.Adapters["slack"] {
		t.Errorf("readyz once connected: %d %s", code, body)
	}
	postAsk(t, ts.URL, askJSON(t, serveOffTopic))
	_, body = get(t, ts.URL+"/metrics")
	for _, want := range []string{`espbot_questions_total{platform="http"} 1`, `espbot_replies_total{kind="no_match",platform="http"} 1`, `espbot_adapter_ready{platform="slack"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	s.draining.Store(true)
	if code, body := get(t, ts.URL+"/readyz"); code != 503 || !strings.Contains(body, "shutting down") {
		t.Errorf("readyz while draining: %d %s", code, body)
	}
}

// serveLogBuffer is a goroutine-safe log sink.
type serveLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveLogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runningServe is serve started by a test.
type runningServe struct {
	base   string
	config string // the configuration file
	reload chan os.Signal
	logs   *serveLogBuffer
	cancel context.CancelFunc
	done   chan error
}

// startServe runs serve with the given config file contents and flags
// until the test ends (or stop is called).
func startServe(tb testing.TB, yaml string, f serveFlags, adapters ...namedAdapter) *runningServe {
	tb.Helper()
	return startServeEnv(tb, yaml, f, nil, adapters...)
}

// startServeEnv is startServe with environment variables.
func startServeEnv(tb testing.TB, yaml string, f serveFlags, environ map[string]string, adapters ...namedAdapter) *runningServe {
	tb.Helper()
	dir := tb.TempDir()
	f.config = filepath.Join(dir, "espbot.yaml")
	if err := os.WriteFile(f.config, []byte(yaml), 0o600); err != nil {
		tb.Fatal(err)
	}
	rs := &runningServe{config: f.config, reload: make(chan os.Signal, 1), logs: &serveLogBuffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	hooks := serveHooks{reload: rs.reload, listening: func(a string) { addr <- a }}
	if adapters != nil {
		hooks.adapters = func(*config.Config, *bot.Bot, *slog.Logger) ([]namedAdapter, error) { return adapters, nil }
	}
	ctx, cancel := context.WithCancel(context.Background())
	rs.cancel = cancel
	e := env{getenv: func(k string) string { return environ[k] }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: rs.logs}
	go func() { rs.done <- serve(ctx, e, f, hooks) }()
	select {
	case a := <-addr:
		rs.base = "http://" + a
	case err := <-rs.done:
		tb.Fatalf("serve failed to start: %v\n%s", err, rs.logs)
	}
	tb.Cleanup(func() {
		cancel()
		<-rs.done
	})
	return rs
}

// stop cancels serve's context (SIGINT/SIGTERM in main) and returns its error.
func (rs *runningServe) stop(tb testing.TB) error {
	tb.Helper()
	rs.cancel()
	select {
	case err := <-rs.done:
		rs.done <- err // for Cleanup
		return err
	case <-time.After(30 * time.Second):
		tb.Fatalf("serve did not stop\n%s", rs.logs)
		return nil
	}
}

// waitFor polls cond until it holds; the deadline only guards against a hang.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (rs *runningServe) metric(tb testing.TB, line string) bool {
	_, body := get(tb, rs.base+"/metrics")
	return strings.Contains(body, line)
}

func (rs *runningServe) ask(tb testing.TB, q string) bot.AskResult {
	tb.Helper()
	code, body := postAsk(tb, rs.base, askJSON(tb, q))
	if code != 200 {
		tb.Fatalf("ask: %d %s", code, body)
	}
	var res bot.AskResult
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		tb.Fatal(err)
	}
	return res
}

func TestServe_EmbeddedFAQAlone(t *testing.T) {
	t.Parallel()
	ix := serveTestIndex(t)
	hosting := serveEntryLike(t, ix, "HTTP hosting")
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\nlog:\n  format: json\n", serveFlags{})
	if code, _ := get(t, rs.base+"/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, body := get(t, rs.base+"/readyz"); code != 200 {
		t.Errorf("readyz %d %s", code, body)
	}
	if res := rs.ask(t, hosting.Title); !res.Answered || res.Answer.ID != hosting.ID {
		t.Errorf("ask: %+v", res)
	}
	rs.reload <- syscall.SIGHUP
	waitFor(t, "the reload", func() bool { return rs.metric(t, `espbot_reloads_total{result="ok"} 1`) })
	if err := rs.stop(t); err != nil {
		t.Errorf("serve returned %v after a stop", err)
	}
	logs := rs.logs.String()
	for _, want := range []string{`"msg":"espbot serving"`, `"msg":"knowledge reloaded"`, `"msg":"stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}

// noRateLimit lifts the API's rate limit (a line under http:), for tests
// that ask in a loop.
const noRateLimit = "  rate_limit:\n    per_minute: 0\n"

// testFAQPage is an esp-faq page with one entry per title.
func testFAQPage(titles ...string) string { return faqtest.Page(titles...) }

func TestServe_WatchReloadsAndKeepsOldOnFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	page := filepath.Join(dir, "faq", "test.rst")
	if err := os.MkdirAll(filepath.Dir(page), 0o755); err != nil {
		t.Fatal(err)
	}
	const first, second = "How do I configure the Zigbee coordinator?", "How do I enable the Thread border router?"
	if err := os.WriteFile(page, []byte(testFAQPage(first)), 0o644); err != nil {
		t.Fatal(err)
	}
	rs := startServe(t, fmt.Sprintf("http:\n  listen: 127.0.0.1:0\n"+noRateLimit+"knowledge:\n  paths: [%q]\n  watch: true\n  debounce: 20ms\n", filepath.Dir(page)), serveFlags{})
	if !rs.ask(t, first).Answered {
		t.Fatalf("first entry not answered")
	}
	if rs.ask(t, second).Answered {
		t.Fatalf("second entry answered before it exists")
	}
	// An editor-style replace: write a temporary file and rename it.
	tmp := page + ".tmp"
	if err := os.WriteFile(tmp, []byte(testFAQPage(first, second)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, page); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new entry", func() bool { return rs.ask(t, second).Answered })
	// A page without entries is refused: the old knowledge base stays.
	if err := os.WriteFile(page, []byte("Empty\n=====\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failed reload", func() bool { return rs.metric(t, `espbot_reloads_total{result="error"}`) })
	if !rs.ask(t, second).Answered {
		t.Errorf("a failed reload replaced the knowledge base")
	}
	if !strings.Contains(rs.logs.String(), "reload failed, keeping the previous knowledge base") {
		t.Errorf("failed reload not logged:\n%s", rs.logs)
	}
}

func TestServe_ReloadLogsPathLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	page := filepath.Join(dir, "test.rst")
	const title = "How do I configure the Zigbee coordinator?"
	if err := os.WriteFile(page, []byte(testFAQPage(title)), 0o644); err != nil {
		t.Fatal(err)
	}
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\n", serveFlags{knowledge: pathsFlag{page}})
	// A broken page: the loader reports an error with its path and line.
	if err := os.WriteFile(page, []byte(brokenPage), 0o644); err != nil {
		t.Fatal(err)
	}
	rs.reload <- syscall.SIGHUP
	waitFor(t, "the failed reload", func() bool { return rs.metric(t, `espbot_reloads_total{result="error"} 1`) })
	if want := page + ":6"; !strings.Contains(rs.logs.String(), want) {
		t.Errorf("failed reload does not log %s:\n%s", want, rs.logs)
	}
	if !rs.ask(t, title).Answered {
		t.Errorf("the old knowledge base was dropped")
	}
}

// brokenPage is not valid UTF-8 on line 6, an error for the loader.
const brokenPage = "Test page\n=========\n\n--------------\n\nHow do I configure the Zigbee\xff coordinator?\n" +
	"----------------------------------------------\n\n  The answer.\n"

func TestServe_ReloadWhileQuerying(t *testing.T) {
	t.Parallel()
	ix := serveTestIndex(t)
	hosting := serveEntryLike(t, ix, "HTTP hosting")
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\n"+noRateLimit, serveFlags{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if res := rs.ask(t, hosting.Title); !res.Answered {
					t.Errorf("not answered during a reload: %+v", res)
					return
				}
			}
		})
	}
	for i := 1; i <= 5; i++ {
		rs.reload <- syscall.SIGHUP
		waitFor(t, "reload", func() bool { return rs.metric(t, fmt.Sprintf(`espbot_reloads_total{result="ok"} %d`, i)) })
	}
	cancel()
	wg.Wait()
}

func TestServe_Adapters(t *testing.T) {
	t.Parallel()
	slack := newFakeAdapter()
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\n", serveFlags{}, namedAdapter{bot.Slack, slack})
	if !slack.mounted {
		t.Fatalf("the HTTP-mode adapter was not mounted")
	}
	resp, err := http.Post(rs.base+"/slack/events", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "fake slack" {
		t.Errorf("/slack/events: %q", body)
	}
	if code, _ := get(t, rs.base+"/readyz"); code != 503 {
		t.Errorf("ready before the adapter connected: %d", code)
	}
	slack.ready.Store(true)
	if code, body := get(t, rs.base+"/readyz"); code != 200 {
		t.Errorf("not ready once connected: %d %s", code, body)
	}
	if err := rs.stop(t); err != nil {
		t.Errorf("stop: %v", err)
	}
	if !slack.stopped.Load() {
		t.Errorf("the adapter was not stopped")
	}
}

func TestServe_SecretsNotLogged(t *testing.T) {
	t.Parallel()
	slack := newFakeAdapter()
	rs := startServeEnv(t, "http:\n  listen: 127.0.0.1:0\nlog:\n  level: debug\ndiscord:\n  enabled: true\n  channels: {\"1\": auto}\nslack:\n  enabled: true\n", serveFlags{},
		map[string]string{"ESPBOT_DISCORD_TOKEN": "SECRET-D", "ESPBOT_SLACK_BOT_TOKEN": "SECRET-B", "ESPBOT_SLACK_APP_TOKEN": "SECRET-A"},
		namedAdapter{bot.Slack, slack})
	if err := rs.stop(t); err != nil {
		t.Fatal(err)
	}
	logs := rs.logs.String()
	if strings.Contains(logs, "SECRET") {
		t.Errorf("a secret was logged:\n%s", logs)
	}
	for _, want := range []string{"discord=true", "slack=true", "message content intent is off"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestServe_ShutdownIsBounded(t *testing.T) {
	t.Parallel()
	stuck := newFakeAdapter()
	stuck.linger = make(chan struct{})
	t.Cleanup(func() { close(stuck.linger) })
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\n  shutdown_timeout: 50ms\n", serveFlags{}, namedAdapter{bot.Discord, stuck})
	if err := rs.stop(t); err != nil {
		t.Errorf("stop: %v", err)
	}
	if stuck.stopped.Load() {
		t.Fatalf("the stuck adapter finished")
	}
	if !strings.Contains(rs.logs.String(), "adapters did not stop in time") {
		t.Errorf("abandoned adapter not logged:\n%s", rs.logs)
	}
}

func TestServe_ShutdownWaitsForRepliesInFlight(t *testing.T) {
	t.Parallel()
	busy := newFakeAdapter()
	busy.linger = make(chan struct{})
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\n  shutdown_timeout: 1m\n", serveFlags{}, namedAdapter{bot.Slack, busy})
	rs.cancel()
	select {
	case err := <-rs.done:
		t.Fatalf("serve returned (%v) with a reply in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(busy.linger)
	if err := rs.stop(t); err != nil || !busy.stopped.Load() {
		t.Errorf("stop: %v, adapter stopped %v", err, busy.stopped.Load())
	}
}

func TestServe_AdapterFailureStopsServe(t *testing.T) {
	t.Parallel()
	discord := newFakeAdapter()
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\n", serveFlags{}, namedAdapter{bot.Discord, discord})
	discord.fail <- errors.New("authentication failed (4004)")
	select {
	case err := <-rs.done:
		rs.done <- err
		if err == nil || !strings.Contains(err.Error(), "discord: authentication failed") {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve kept running after its adapter failed")
	}
}

func TestServe_StartupErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("htttp:\n  listen: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"invalid config", []string{"--config", bad}, nil, "htttp: unknown key"},
		{"missing config", []string{"--config", filepath.Join(dir, "none.yaml")}, nil, "no such file"},
		{"missing secret", nil, map[string]string{"ESPBOT_DISCORD_ENABLED": "true"}, "ESPBOT_DISCORD_TOKEN"},
		{"bad knowledge", []string{"--knowledge", filepath.Join(dir, "none.rst"), "--listen", "127.0.0.1:0"}, nil, "load knowledge"},
		{"bad listen", []string{"--listen", "127.0.0.1:99999"}, nil, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			e := env{getenv: func(k string) string { return tt.env[k] }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr}
			err := runServe(context.Background(), e, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestServeHelperProcess is not a test: TestServe_Signals runs the test
// binary again with ESPBOT_SERVE_HELPER=1 to get an espbot process it can
// signal, as main would run it.
func TestServeHelperProcess(t *testing.T) {
	if os.Getenv("ESPBOT_SERVE_HELPER") != "1" {
		t.Skip("helper process for TestServe_Signals")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, strings.Fields(os.Getenv("ESPBOT_SERVE_ARGS")), os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// TestServe_Signals runs serve in a child process and signals it: SIGHUP
// reloads, SIGTERM stops it with exit status 0.
func TestServe_Signals(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a child process")
	}
	if runtime.GOOS == "windows" {
		t.Skip("SIGHUP and SIGTERM are Unix signals")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "espbot.yaml")
	if err := os.WriteFile(cfg, []byte("http:\n  listen: 127.0.0.1:0\nlog:\n  format: json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$")
	cmd.Env = append(os.Environ(), "ESPBOT_SERVE_HELPER=1", "ESPBOT_SERVE_ARGS=serve --config "+cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan map[string]any, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				lines <- rec
			}
		}
	}()
	waitLog := func(msg string) map[string]any {
		t.Helper()
		timeout := time.After(60 * time.Second)
		for {
			select {
			case rec, ok := <-lines:
				if !ok {
					t.Fatalf("espbot exited before logging %q", msg)
				}
				if rec["msg"] == msg {
					return rec
				}
			case <-timeout:
				t.Fatalf("no %q log line", msg)
			}
		}
	}
	addr, _ := waitLog("espbot serving")["addr"].(string)
	if code, _ := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if rec := waitLog("knowledge reloaded"); rec["trigger"] != "signal" {
		t.Errorf("reload record %v", rec)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLog("stopped")
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("espbot exited with %v after SIGTERM, want status 0", err)
	}
}

func BenchmarkServer_Ask(b *testing.B) {
	s, ts := newTestServer(b)
	body := askJSON(b, serveEntryLike(b, s.bot.Index(), "HTTP hosting").Title)
	client := ts.Client()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Post(ts.URL+"/v1/ask", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// TestServe_NoLeakedGoroutines runs serve with every moving part (HTTP,
// an adapter, the file watcher, a reload) and checks that stopping it
// leaves no goroutine behind. Not parallel: goleak looks at the whole
// process, and parallel tests are parked while this one runs.
func TestServe_NoLeakedGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.rst"), []byte(testFAQPage("How do I configure the Zigbee coordinator?")), 0o644); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	rs := startServe(t, fmt.Sprintf("http:\n  listen: 127.0.0.1:0\nknowledge:\n  paths: [%q]\n  watch: true\n", dir), serveFlags{}, namedAdapter{bot.Slack, newFakeAdapter()})
	resp, err := client.Post(rs.base+"/v1/ask", "application/json", strings.NewReader(askJSON(t, "Zigbee coordinator")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rs.reload <- syscall.SIGHUP
	if err := rs.stop(t); err != nil {
		t.Fatal(err)
	}
}

// TestServe_Corpus serves the whole esp-faq corpus from ../shared, when
// present, and answers a question with the exact title of one of its
// entries.
func TestServe_Corpus(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "corpus", "esp-faq-en"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Skipf("the esp-faq corpus is absent (%s): skipping", root)
	}
	kb, err := knowledge.Load(root)
	if err != nil || kb == nil || len(kb.Entries) < 100 {
		t.Skipf("the corpus does not load cleanly here: %v", err)
	}
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\n", serveFlags{knowledge: pathsFlag{root}})
	_, body := get(t, rs.base+"/readyz")
	var st httpapi.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil || st.Entries != len(kb.Entries) {
		t.Errorf("readyz %s, want %d entries", body, len(kb.Entries))
	}
	e := kb.Entries[len(kb.Entries)/2]
	if res := rs.ask(t, e.Title); !res.Answered || res.Answer.ID != e.ID {
		t.Errorf("ask %q: %+v, want %s", e.Title, res, e.ID)
	}
}

// TestMatcherOptions_model: the configuration's matcher.model is the model
// serve and check build the index with; a broken one is named with its
// file and line.
func TestMatcherOptions_model(t *testing.T) {
	m := matcher.UntrainedModel()
	m.AnswerThreshold, m.AutoThreshold = 0.9, 0.95
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	c := &config.Config{}
	c.Matcher.Model = writeFile(t, "model.txt", buf.String())
	mo, err := matcherOptions(c)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := matcher.New(kb.Entries, mo)
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.AnswerThreshold(); got != 0.9 {
		t.Errorf("answer threshold %v, want the configured model's 0.9", got)
	}
	c.Matcher.Model = writeFile(t, "bad.txt", "espbot-matcher-model 1\n[ranker]\n1.0 sparkle\n")
	if _, err := matcherOptions(c); err == nil || !strings.Contains(err.Error(), "matcher.model: "+c.Matcher.Model+":3:") {
		t.Errorf("broken model: got %v, want matcher.model naming %s:3", err, c.Matcher.Model)
	}
}
