package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// target names what a REST call is about, for the logs: every failure says
// which guild, channel and interaction it concerned.
type target struct {
	what, guild, channel, interaction string
}

func (t target) attrs() []any {
	out := []any{"where", t.what, "guild", t.guild, "channel", t.channel}
	if t.interaction != "" {
		out = append(out, "interaction", t.interaction)
	}
	return out
}

// maxRateLimitWaits bounds how often one call waits out a 429.
const maxRateLimitWaits = 5

// call runs one REST call. A 429 waits for its retry_after, here, with the
// context (discordgo would sleep holding the caller, however long, and
// retry forever); a server error (5xx) is retried once. Failures are logged
// with t and counted, never returned: there is nobody to return them to.
func (a *Adapter) call(ctx context.Context, t target, f func(opts ...discordgo.RequestOption) error) bool {
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
	retried, waits := false, 0
	for {
		err := f(opts...)
		if err == nil {
			return true
		}
		var rl *discordgo.RateLimitError
		switch {
		case ctx.Err() != nil:
		case errors.As(err, &rl) && waits < maxRateLimitWaits:
			waits++
			a.log.Info("rate limited by Discord; waiting", append(t.attrs(), "retry_after", rl.RetryAfter)...)
			if sleep(ctx, rl.RetryAfter) == nil {
				continue
			}
		case serverError(err) && !retried:
			retried = true
			a.log.Info("server error from Discord, retrying once", append(t.attrs(), "err", err)...)
			continue
		}
		a.bot.Metrics().Error(bot.Discord, t.what)
		a.log.Error("discord request failed", append(t.attrs(), "status", statusOf(err), "code", codeOf(err), "err", err)...)
		return false
	}
}

func serverError(err error) bool { return statusOf(err) >= 500 }

// statusOf is the HTTP status of a REST error (0 for others).
func statusOf(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// codeOf is Discord's JSON error code of a REST error (0 for others).
func codeOf(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// messageCreate is discordgo's MessageSend with the nonce it lacks.
// enforce_nonce makes Discord return the first message when a retried
// request carries the same nonce, so a retry cannot post twice.
type messageCreate struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// createMessage posts a message; nonce (at most 25 characters) makes the
// retries of one send idempotent.
func (a *Adapter) createMessage(channel string, send *discordgo.MessageSend, nonce string, opts ...discordgo.RequestOption) (*discordgo.Message, error) {
	ep := discordgo.EndpointChannelMessages(channel)
	raw, err := a.rest.RequestWithBucketID(http.MethodPost, ep, messageCreate{MessageSend: send, Nonce: nonce, EnforceNonce: nonce != ""}, ep, opts...)
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode the created message: %w", err)
	}
	return &m, nil
}

// maxQueued bounds the replies waiting for one channel; beyond it (a
// channel rate limited for long) replies are dropped, not piled up.
const maxQueued = 64

// outbox is the queue of REST calls for one channel. Calls run one at a
// time, in order (an edit never overtakes the answer it edits), on their
// own goroutine: a channel that Discord rate-limits waits alone, while the
// handler slots go on serving other channels.
type outbox struct {
	queue   []queued
	running bool
}

type queued struct {
	run    func(ctx context.Context)
	finish func()
}

// enqueue queues run on channel's outbox; the job ends when it has run.
func (a *Adapter) enqueue(channel string, j *job, run func(ctx context.Context)) {
	finish := j.handOff()
	a.mu.Lock()
	ob := a.outboxes[channel]
	if ob == nil {
		ob = &outbox{}
		a.outboxes[channel] = ob
	}
	if len(ob.queue) >= maxQueued {
		a.mu.Unlock()
		a.bot.Metrics().Error(bot.Discord, "send_dropped")
		a.log.Warn("too many replies waiting for a channel (rate limited?): dropping one", "channel", channel)
		finish()
		return
	}
	ob.queue = append(ob.queue, queued{run: run, finish: finish})
	start := !ob.running
	ob.running = true
	a.mu.Unlock()
	if start {
		go a.drain(channel, ob)
	}
}

// drain runs an outbox's calls until it is empty.
func (a *Adapter) drain(channel string, ob *outbox) {
	for {
		a.mu.Lock()
		if len(ob.queue) == 0 {
			ob.running = false
			delete(a.outboxes, channel)
			a.mu.Unlock()
			return
		}
		q := ob.queue[0]
		ob.queue = ob.queue[1:]
		a.mu.Unlock()
		a.safely("send", func() { q.run(a.work) })
		q.finish()
	}
}

// logOnce logs a warning once per key (a channel's missing permissions).
func (a *Adapter) logOnce(key, msg string, attrs ...any) {
	if _, seen := a.warned.LoadOrStore(key, true); !seen {
		a.log.Warn(msg, attrs...)
	}
}
