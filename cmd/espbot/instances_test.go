package main

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/espbot/espbot/internal/pgtest"
)

// fakeSlackAPI is the part of Slack's Web API that serve calls in HTTP
// mode: auth.test at start-up and chat.postMessage for answers, which it
// keeps.
type fakeSlackAPI struct {
	mu    sync.Mutex
	posts []url.Values
}

func (f *fakeSlackAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	switch strings.TrimPrefix(r.URL.Path, "/api/") {
	case "auth.test":
		io.WriteString(w, `{"ok": true, "user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T1", "user": "espbot", "team": "test"}`)
	case "chat.postMessage":
		f.mu.Lock()
		f.posts = append(f.posts, r.PostForm)
		n := len(f.posts)
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok": true, "channel": %q, "ts": "1800000000.%06d"}`, r.PostForm.Get("channel"), n)
	default:
		io.WriteString(w, `{"ok": true}`)
	}
}

func (f *fakeSlackAPI) posted() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.posts...)
}

// instance is one "espbot serve" process of the test.
type instance struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	logs []map[string]any
	seen chan struct{} // a log line arrived
}

// startInstance runs "espbot serve --config cfg" in a child process with
// env added to the environment, and follows its JSON log.
func startInstance(t *testing.T, cfg string, env []string) *instance {
	t.Helper()
	in := &instance{seen: make(chan struct{}, 1)}
	in.cmd = exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$")
	in.cmd.Env = append(append(os.Environ(), "ESPBOT_SERVE_HELPER=1", "ESPBOT_SERVE_ARGS=serve --config "+cfg), env...)
	stderr, err := in.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.cmd.Process.Kill(); in.cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			in.mu.Lock()
			in.logs = append(in.logs, rec)
			in.mu.Unlock()
			select {
			case in.seen <- struct{}{}:
			default:
			}
		}
	}()
	return in
}

// logged returns the first log record with msg whose fields have the given
// values, or nil.
func (in *instance) logged(msg string, fields ...string) map[string]any {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, rec := range in.logs {
		match := rec["msg"] == msg
		for i := 0; match && i+1 < len(fields); i += 2 {
			match = fmt.Sprint(rec[fields[i]]) == fields[i+1]
		}
		if match {
			return rec
		}
	}
	return nil
}

// signedEvent posts an Events API callback to an instance, signed as Slack
// signs it.
func signedEvent(t *testing.T, in *instance, secret, eventID string, event map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
		"event_id": eventID, "event_time": time.Now().Unix(), "event": event})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, _ := http.NewRequest("POST", "http://"+in.addr+"/slack/events", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("event %s to %s: status %d", eventID, in.addr, resp.StatusCode)
	}
}

// TestServe_TwoInstancesOnePostgres runs two espbot serve processes, started
// together on a fresh PostgreSQL schema (their migrations race), behind one
// Slack app in HTTP mode. The same event delivered to both is answered once;
// two questions of one auto-channel thread, one to each, get one answer.
func TestServe_TwoInstancesOnePostgres(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts two child processes")
	}
	dsn := pgtest.Schema(t)
	slack := &fakeSlackAPI{}
	api := httptest.NewServer(slack)
	t.Cleanup(api.Close)
	cfg := filepath.Join(t.TempDir(), "espbot.yaml")
	yaml := fmt.Sprintf("http:\n  listen: 127.0.0.1:0\nlog:\n  format: json\n  level: debug\n"+
		"slack:\n  enabled: true\n  mode: http\n  api_url: %s/api/\n  channels:\n    CAUTO: auto\n"+
		"matcher:\n  auto_threshold: 0.5\nstore:\n  driver: postgres\n", api.URL)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	const secret = "test-signing-secret"
	env := []string{"ESPBOT_SLACK_BOT_TOKEN=xoxb-test", "ESPBOT_SLACK_SIGNING_SECRET=" + secret, "ESPBOT_STORE_DSN=" + dsn}
	instances := []*instance{startInstance(t, cfg, env), startInstance(t, cfg, env)}
	for i, in := range instances {
		rec := waitLogged(t, in, "espbot serving")
		in.addr, _ = rec["addr"].(string)
		waitFor(t, fmt.Sprintf("instance %d ready", i), func() bool { code, _ := get(t, "http://"+in.addr+"/readyz"); return code == 200 })
	}
	title := serveTestIndex(t).Entries()[3].Title

	// One event, delivered to both instances at once (a Slack retry that
	// the load balancer sends to the other one).
	mention := map[string]any{"type": "app_mention", "user": "U1", "channel": "C1", "text": "<@U0BOT> " + title, "ts": "1700000001.000100"}
	deliver(t, instances, func(in *instance) { signedEvent(t, in, secret, "EvSAME", mention) })
	answered, ignored := outcome(t, instances, "C1", "redelivered event ignored")
	if answered != 1 || ignored != 1 {
		t.Errorf("one event on two instances: %d answered, %d ignored; want 1 and 1", answered, ignored)
	}

	// Two questions in one thread of an auto channel, one per instance.
	deliver(t, instances, func(in *instance) {
		id := "EvT" + in.addr
		signedEvent(t, in, secret, id, map[string]any{"type": "message", "channel_type": "channel", "user": "U" + in.addr,
			"channel": "CAUTO", "text": title, "ts": "1700000002." + in.addr[len(in.addr)-4:], "thread_ts": "1700000002.000100"})
	})
	answeredT, ignoredT := outcome(t, instances, "CAUTO", "thread already answered")
	if answeredT != 1 || ignoredT != 1 {
		t.Errorf("one auto thread on two instances: %d answered, %d skipped; want 1 and 1", answeredT, ignoredT)
	}
	// The core logs its decision before the adapter posts; once both
	// outcomes are known no other post can come.
	waitFor(t, "the answers at Slack", func() bool { return len(slack.posted()) >= answered+answeredT })
	posts := slack.posted()
	t.Logf("same event to both: %d answered, %d ignored as redelivered; one thread on both: %d answered, %d skipped; %d posts to Slack",
		answered, ignored, answeredT, ignoredT, len(posts))
	if len(posts) != 2 || posts[0].Get("thread_ts") == posts[1].Get("thread_ts") {
		t.Errorf("Slack got %d posts, want one per scenario: %v", len(posts), posts)
	}
	for _, in := range instances {
		if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := in.cmd.Wait(); err != nil {
			t.Errorf("instance exited with %v after SIGTERM", err)
		}
	}
}

// deliver runs send for every instance at the same time.
func deliver(t *testing.T, instances []*instance, send func(*instance)) {
	t.Helper()
	var wg sync.WaitGroup
	for _, in := range instances {
		wg.Go(func() { send(in) })
	}
	wg.Wait()
}

// outcome waits until each instance, sent one event of channel, has
// either replied or logged skip, and counts each.
func outcome(t *testing.T, instances []*instance, channel, skip string) (answered, skipped int) {
	t.Helper()
	for _, in := range instances {
		for {
			if rec := in.logged("reply", "channel", channel); rec != nil {
				answered++
				break
			}
			if in.logged(skip, "channel", channel) != nil {
				skipped++
				break
			}
			waitNext(t, in, "the outcome of the event in "+channel)
		}
	}
	return answered, skipped
}

func waitLogged(t *testing.T, in *instance, msg string) map[string]any {
	t.Helper()
	for {
		if rec := in.logged(msg); rec != nil {
			return rec
		}
		waitNext(t, in, msg)
	}
}

// waitNext waits for the instance's next log line; the deadline only
// guards against a hang.
func waitNext(t *testing.T, in *instance, what string) {
	t.Helper()
	select {
	case <-in.seen:
	case <-time.After(60 * time.Second):
		in.mu.Lock()
		defer in.mu.Unlock()
		t.Fatalf("no log of %s; the instance logged:\n%v", what, in.logs)
	}
}
