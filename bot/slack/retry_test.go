package slack

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/slack/slacktest"
)

func count(calls []slacktest.Call, method string) int {
	n := 0
	for _, c := range calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// TestSocket_RetriesNeverPostTwice fails chat.postMessage in every way
// Slack or the network can, before or after the message was posted, and
// checks that the answer ends up posted exactly once.
func TestSocket_RetriesNeverPostTwice(t *testing.T) {
	t.Parallel()
	const status5xx = http.StatusInternalServerError
	cases := []struct {
		name  string
		dm    bool
		fault slacktest.Fault
		// posts is how many chat.postMessage calls the fake sees, the
		// failed one included; lookups how often the bot looked for the
		// answer before posting again.
		posts, lookups int
		// hidden: the lookups do not show the metadata (the text is
		// compared instead).
		hidden bool
	}{
		{"503 from the edge", false, slacktest.Fault{Status: http.StatusServiceUnavailable}, 2, 0, false},
		{"500 before posting", false, slacktest.Fault{Status: status5xx}, 2, 1, false},
		{"500 after posting", false, slacktest.Fault{Status: status5xx, AfterEffect: true}, 1, 1, false},
		{"502 after posting", false, slacktest.Fault{Status: http.StatusBadGateway, AfterEffect: true}, 1, 1, false},
		{"504 after posting", false, slacktest.Fault{Status: http.StatusGatewayTimeout, AfterEffect: true}, 1, 1, false},
		{"hangup before posting", false, slacktest.Fault{Hangup: true}, 2, 1, false},
		{"hangup after posting", false, slacktest.Fault{Hangup: true, AfterEffect: true}, 1, 1, false},
		{"internal_error after posting", false, slacktest.Fault{Error: "internal_error", AfterEffect: true}, 1, 1, false},
		{"DM, 500 after posting", true, slacktest.Fault{Status: status5xx, AfterEffect: true}, 1, 1, false},
		{"DM, 500 before posting", true, slacktest.Fault{Status: status5xx}, 2, 1, false},
		{"500 after posting, metadata hidden", false, slacktest.Fault{Status: status5xx, AfterEffect: true}, 1, 1, true},
		{"500 before posting, metadata hidden", false, slacktest.Fault{Status: status5xx}, 2, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := startWith(t, setup{tune: fastRetries})
			if tc.hidden {
				h.fake.HideMetadata()
			}
			h.fake.Inject("chat.postMessage", 1, tc.fault)
			channel, thread, ev := "C1", "500.000001", mention("C1", "500.000001", testEntries[0].Title)
			if tc.dm {
				channel, thread, ev = "D1", "", dm("500.000001", testEntries[0].Title)
			}
			h.sendEvent(t, "Ev1", ev)
			h.waitIdle(t)
			if n := h.fake.Posted(channel, thread); n != 1 {
				t.Errorf("the answer was posted %d times, want once", n)
			}
			calls := h.fake.Calls()
			if n := count(calls, "chat.postMessage"); n != tc.posts {
				t.Errorf("%d chat.postMessage calls, want %d", n, tc.posts)
			}
			if n := count(calls, "conversations.replies") + count(calls, "conversations.history"); n != tc.lookups {
				t.Errorf("%d lookups, want %d", n, tc.lookups)
			}
			if n := h.metrics.count(func(m *testMetrics) int { return m.errors["post"] }); n != 0 {
				t.Errorf("%d post errors counted, want none", n)
			}
		})
	}
}

func TestSocket_UncheckableFailuresAreNotRepeated(t *testing.T) {
	t.Parallel()
	t.Run("lookup refused", func(t *testing.T) {
		t.Parallel()
		h := startWith(t, setup{tune: fastRetries})
		h.fake.Inject("chat.postMessage", 1, slacktest.Fault{Status: http.StatusInternalServerError, AfterEffect: true})
		h.fake.Inject("conversations.replies", 1, slacktest.Fault{Error: "missing_scope"})
		h.sendEvent(t, "Ev1", mention("C1", "510.000001", testEntries[0].Title))
		h.waitIdle(t)
		if n := h.fake.Posted("C1", "510.000001"); n != 1 {
			t.Errorf("posted %d times, want once (not again when the lookup fails)", n)
		}
		if n := h.metrics.count(func(m *testMetrics) int { return m.errors["post"] }); n != 1 {
			t.Errorf("%d post errors counted, want 1", n)
		}
	})
	t.Run("ephemeral notice", func(t *testing.T) {
		t.Parallel()
		h := startWith(t, setup{tune: fastRetries, core: func(c *bot.Config) { c.UserCooldown = bot.Cooldown{PerMinute: 1, Burst: 1} }})
		h.sendEvent(t, "Ev1", mention("C1", "520.000001", testEntries[0].Title))
		h.fake.Inject("chat.postEphemeral", 1, slacktest.Fault{Status: http.StatusInternalServerError, AfterEffect: true})
		h.sendEvent(t, "Ev2", mention("C1", "520.000002", testEntries[0].Title))
		h.waitIdle(t)
		if n := count(h.fake.Calls(), "chat.postEphemeral"); n != 1 {
			t.Errorf("%d chat.postEphemeral calls after an ambiguous 500, want 1", n)
		}
	})
	t.Run("response URL post, and replace", func(t *testing.T) {
		t.Parallel()
		h := startOver(t, ModeSocket, benchEntries(t))
		answer, menu := askWithMenu(t, h)
		h.fake.Inject("response_url", 1, slacktest.Fault{Status: http.StatusInternalServerError, AfterEffect: true})
		h.interact(t, h.click(t, answer, actionUp, "U2", "")) // the thank-you: posted once, not again
		h.waitIdle(t)
		h.fake.Inject("response_url", 1, slacktest.Fault{Status: http.StatusInternalServerError, AfterEffect: true})
		h.interact(t, h.click(t, answer, actionOther, "U1", menu[0])) // a replace: repeated, harmless
		h.waitIdle(t)
		if n := count(h.fake.Calls(), "response_url"); n != 3 {
			t.Errorf("%d response URL calls, want 1 for the notice and 2 for the replacement", n)
		}
	})
}

func TestSafeRetry_ShouldRetry(t *testing.T) {
	t.Parallel()
	const api = "https://slack.test/api/"
	post := func(u, body string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
		return r
	}
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	written := errors.New("read: connection reset by peer")
	cases := []struct {
		name string
		req  *http.Request
		resp *http.Response
		err  error
		want bool
	}{
		{"postMessage 503", post(api+"chat.postMessage", "a=1"), resp(503), nil, true},
		{"postMessage 500", post(api+"chat.postMessage", "a=1"), resp(500), nil, false},
		{"postMessage 502", post(api+"chat.postMessage", "a=1"), resp(502), nil, false},
		{"postMessage reset after writing", post(api+"chat.postMessage", "a=1"), nil, written, false},
		{"postMessage never sent", post(api+"chat.postMessage", "a=1"), nil, &unsentError{err: written}, true},
		{"postEphemeral 500", post(api+"chat.postEphemeral", "a=1"), resp(500), nil, false},
		{"auth.test 500", post(api+"auth.test", "a=1"), resp(500), nil, true},
		{"conversations.replies reset", post(api+"conversations.replies", "a=1"), nil, written, true},
		{"response URL replace 500", post("https://hooks.slack.test/actions/1", `{"replace_original":true}`), resp(500), nil, true},
		{"response URL delete 502", post("https://hooks.slack.test/actions/1", `{"delete_original":true}`), resp(502), nil, true},
		{"response URL post 500", post("https://hooks.slack.test/actions/1", `{"response_type":"ephemeral"}`), resp(500), nil, false},
		{"400 is final", post(api+"auth.test", "a=1"), resp(400), nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := &slack.RetryState{MaxRetries: 3}
			if got, _ := (safeRetry{apiURL: api}).ShouldRetry(st, tc.req, tc.resp, tc.err); got != tc.want {
				t.Errorf("ShouldRetry = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMarkUnsent(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the dial fails, nothing is written
	c := &http.Client{Transport: markUnsent{base: &http.Transport{}}}
	_, err = c.PostForm("http://"+addr+"/api/chat.postMessage", url.Values{"a": {"1"}})
	var unsent *unsentError
	if !errors.As(err, &unsent) {
		t.Errorf("refused connection gave %v, want an unsent error", err)
	}
	if ambiguous(err) {
		t.Error("a post that was never sent is not ambiguous")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ambiguous(ctx.Err()) {
		t.Error("a cancelled post is not retried")
	}
}
