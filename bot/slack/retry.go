package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
)

// Retrying without posting twice.
//
// Slack has no idempotency key: a chat.postMessage that failed may still
// have been posted (a 500 or 504 after the message was stored, a
// connection reset after the request was written, a timeout). So a failed
// call is repeated at once (by slack-go's retrying client, with exponential
// backoff and jitter) only when repeating cannot duplicate anything:
//
//   - 429: Slack refused the call; wait for Retry-After (plus jitter).
//   - the request was never written (dial, DNS or TLS errors, a connection
//     closed before the request went out): Slack never saw it.
//   - 503 from Slack's edge: the call was turned away before it ran.
//   - any 5xx or network error on calls that are idempotent anyway: reads,
//     auth.test, apps.connections.open, and response URL posts that
//     replace or delete the original message.
//
// Other failures of chat.postMessage (500, 502, 504, errors after writing,
// and the JSON errors internal_error and fatal_error, which Slack documents
// as "some aspect of the operation may have succeeded") go through postOnce:
// every reply carries a key in its message metadata, and after such a
// failure the conversation is searched for that key (or, should the
// metadata not be readable, for the same text from the bot since the first
// attempt) before posting again.
// chat.postEphemeral and response URL posts cannot be searched, so they are
// not repeated after an ambiguous failure: a lost notice is better than a
// doubled one.

// retryConfig is slack-go's retry configuration with the rules above.
func retryConfig(n int, apiURL string) slack.RetryConfig {
	cfg := slack.RetryConfig{
		MaxRetries:         n,
		RetryAfterDuration: 30 * time.Second,
		RetryAfterJitter:   500 * time.Millisecond,
	}
	cfg.Handlers = []slack.RetryHandler{slack.NewRateLimitErrorRetryHandler(cfg), safeRetry{apiURL: apiURL}}
	return cfg
}

// safeRetry retries 5xx and network errors when that cannot post twice.
type safeRetry struct{ apiURL string }

// ShouldRetry implements slack.RetryHandler.
func (h safeRetry) ShouldRetry(st *slack.RetryState, req *http.Request, resp *http.Response, err error) (bool, time.Duration) {
	if st.Attempt >= st.MaxRetries || req.Context().Err() != nil {
		return false, 0
	}
	var retry bool
	switch {
	case resp != nil:
		retry = resp.StatusCode == http.StatusServiceUnavailable ||
			(resp.StatusCode >= 500 && h.idempotent(req))
	case err != nil:
		var unsent *unsentError
		retry = errors.As(err, &unsent) || h.idempotent(req)
	}
	if !retry {
		return false, 0
	}
	return true, backoff(st.Attempt)
}

// backoff is the wait before retry attempt+1: 200 ms doubling up to 3 s,
// plus jitter.
func backoff(attempt int) time.Duration {
	d := 200 * time.Millisecond << min(attempt, 4)
	return jitter(min(d, 3*time.Second))
}

// idempotent reports whether repeating req has the effect of sending it once.
func (h safeRetry) idempotent(req *http.Request) bool {
	if !strings.HasPrefix(req.URL.String(), h.apiURL) {
		return responseURLEdit(req)
	}
	method := req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]
	switch method {
	case "chat.postMessage", "chat.postEphemeral", "chat.meMessage", "chat.scheduleMessage", "reactions.add":
		return false
	}
	return true
}

// responseURLEdit reports whether a response URL post replaces or deletes
// the original message (repeatable) rather than posting a new one.
func responseURLEdit(req *http.Request) bool {
	if req.GetBody == nil {
		return false
	}
	body, err := req.GetBody()
	if err != nil {
		return false
	}
	defer body.Close()
	var v struct {
		Replace bool `json:"replace_original"`
		Delete  bool `json:"delete_original"`
	}
	b, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil || json.Unmarshal(b, &v) != nil {
		return false
	}
	return v.Replace || v.Delete
}

// markUnsent is an http.RoundTripper that marks errors of requests that
// were never written, so that safeRetry knows Slack did not see them.
type markUnsent struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t markUnsent) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}
	resp, err := base.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil && !wrote.Load() {
		err = &unsentError{err: err}
	}
	return resp, err
}

// unsentError is a transport error of a request that was not written.
type unsentError struct{ err error }

func (e *unsentError) Error() string { return "not sent: " + e.err.Error() }
func (e *unsentError) Unwrap() error { return e.err }

// ambiguous reports whether a failed chat.postMessage may have been posted,
// or was refused for a passing reason (service_unavailable): either way
// postOnce looks before it posts again.
func ambiguous(err error) bool {
	var unsent *unsentError
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	var code slack.StatusCodeError
	switch {
	case err == nil, errors.As(err, &unsent), errors.As(err, &rl),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded) && !isClientTimeout(err):
		return false
	case errors.As(err, &code):
		return code.Code >= 500 && code.Code != http.StatusServiceUnavailable
	case errors.As(err, &se):
		switch se.Err {
		case "internal_error", "fatal_error", "request_timeout", "service_unavailable":
			return true
		}
		return false
	}
	return true // a network error after the request was written
}

// isClientTimeout reports whether err is the HTTP client's own timeout
// (the request may have been processed), not the job's deadline.
func isClientTimeout(err error) bool {
	return strings.Contains(err.Error(), "Client.Timeout exceeded")
}

// replyMetaType is the metadata event type that carries a reply's key.
const replyMetaType = "espbot_reply"

// postOnce posts a message to channel (in thread threadTS, if set), trying
// again after a failure that may or may not have posted it only once the
// conversation shows it was not. It returns the message's ts.
func (a *Adapter) postOnce(ctx context.Context, channel, threadTS string, msg message, opts []slack.MsgOption) (string, error) {
	key := newReplyKey()
	since := time.Now().Add(-time.Minute) // Slack's and our clocks differ
	opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{
		EventType: replyMetaType, EventPayload: map[string]any{"key": key},
	}))
	wait := a.retryWait
	for attempt := 0; ; attempt++ {
		_, ts, err := a.api.PostMessageContext(ctx, channel, opts...)
		if !ambiguous(err) || attempt >= a.cfg.retries() {
			return ts, err
		}
		if !sleepCtx(ctx, jitter(wait)) {
			return "", err
		}
		wait *= 2
		ts, found, lerr := a.findReply(ctx, channel, threadTS, replyID{key: key, text: msg.Text}, since)
		switch {
		case lerr != nil:
			a.log.Warn("slack: a reply may not have been posted; not posting it again", "err", err, "lookup_err", lerr)
			return "", err
		case found:
			a.log.Info("slack: reply was posted despite an error", "err", err)
			return ts, nil
		}
		a.log.Info("slack: reply not posted, posting again", "err", err)
	}
}

// reply identifies a reply of ours in a conversation: its metadata key,
// and its text.
type replyID struct{ key, text string }

// findReply looks for the bot's message r among the thread's replies, or
// the conversation's recent messages outside threads.
func (a *Adapter) findReply(ctx context.Context, channel, threadTS string, r replyID, since time.Time) (string, bool, error) {
	oldest := slackTS(since)
	var msgs []slack.Message
	if threadTS != "" {
		m, _, _, err := a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: threadTS, Oldest: oldest, Limit: 200, IncludeAllMetadata: true})
		if err != nil {
			return "", false, err
		}
		msgs = m
	} else {
		res, err := a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Oldest: oldest, Limit: 200, IncludeAllMetadata: true})
		if err != nil {
			return "", false, err
		}
		msgs = res.Messages
	}
	self := a.identity()
	for _, m := range msgs {
		keyed := m.Metadata.EventType == replyMetaType && m.Metadata.EventPayload["key"] == r.key
		same := m.Metadata.EventType == "" && self.botID != "" && m.BotID == self.botID && m.Text == r.text
		if keyed || same {
			return m.Timestamp, true, nil
		}
	}
	return "", false, nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// slackTS writes t as a Slack timestamp ("1700000000.000000").
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// jitter adds up to a quarter of d, so that retries of many replies spread.
func jitter(d time.Duration) time.Duration {
	return d + rand.N(d/4+1)
}

// newReplyKey is a random key naming one reply across its attempts.
func newReplyKey() string {
	return fmt.Sprintf("%016x", rand.Uint64())
}
