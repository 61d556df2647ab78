package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// identifyLimiter spaces Identify payloads as Discord requires: one per
// max_concurrency bucket (shard ID modulo max_concurrency) every spacing,
// and no more than the session start budget of GET /gateway/bot; when the
// budget is spent it waits for the reset and asks again. Going over the
// budget would get the token reset by Discord.
type identifyLimiter struct {
	mu          sync.Mutex
	concurrency int
	spacing     time.Duration
	remaining   int
	resetAt     time.Time
	last        map[int]time.Time
	refresh     func(ctx context.Context) (discordgo.SessionInformation, error)
	log         *slog.Logger
	now         func() time.Time
}

func newIdentifyLimiter(info discordgo.SessionInformation, spacing time.Duration, now func() time.Time,
	refresh func(ctx context.Context) (discordgo.SessionInformation, error), log *slog.Logger) *identifyLimiter {
	l := &identifyLimiter{spacing: spacing, last: map[int]time.Time{}, refresh: refresh, log: log, now: now}
	l.update(info)
	return l
}

func (l *identifyLimiter) update(info discordgo.SessionInformation) {
	l.concurrency = max(info.MaxConcurrency, 1)
	l.remaining = info.Remaining
	l.resetAt = l.now().Add(time.Duration(info.ResetAfter) * time.Millisecond)
}

// wait blocks until shard may identify, and spends one identify.
func (l *identifyLimiter) wait(ctx context.Context, shard int) error {
	for {
		d, refill := l.reserve(shard)
		if d == 0 {
			return nil
		}
		if refill {
			l.log.Warn("the identify budget (session_start_limit) is spent; waiting for it to reset", "shard", shard, "wait", d.Round(time.Second))
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
		if refill {
			l.refill(ctx)
		}
	}
}

// reserve spends an identify and returns 0, or says how long to wait and
// whether the budget must be refilled first.
func (l *identifyLimiter) reserve(shard int) (wait time.Duration, refill bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.remaining <= 0 {
		return max(l.resetAt.Sub(now), time.Millisecond), true
	}
	bucket := shard % l.concurrency
	if last, ok := l.last[bucket]; ok && now.Sub(last) < l.spacing {
		return l.spacing - now.Sub(last), false
	}
	l.remaining--
	l.last[bucket] = now
	return 0, false
}

// refill asks Discord for the budget again after its reset.
func (l *identifyLimiter) refill(ctx context.Context) {
	info, err := l.refresh(ctx)
	if err != nil {
		l.log.Warn("GET /gateway/bot failed; retrying", "err", err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.update(info)
}

// shardPlan returns the shard count (Shards, or Discord's recommendation
// when 0) and the shards this process runs (ShardIDs, or all).
func (c Config) shardPlan(recommended int) (count int, ids []int, err error) {
	count = c.Shards
	if count == 0 {
		count = max(recommended, 1)
	}
	if len(c.ShardIDs) == 0 {
		for i := range count {
			ids = append(ids, i)
		}
		return count, ids, nil
	}
	for _, id := range c.ShardIDs {
		if id < 0 || id >= count {
			return 0, nil, fmt.Errorf("shard ID %d is not below the shard count %d (discord.shard_ids)", id, count)
		}
	}
	ids = slices.Clone(c.ShardIDs)
	slices.Sort(ids)
	return count, slices.Compact(ids), nil
}

// gatewayBot asks GET /gateway/bot for the gateway address, the shard
// count and the identify budget, retrying with backoff until it answers or
// start-up times out. A refused token fails at once.
func (a *Adapter) gatewayBot(ctx context.Context) (*discordgo.GatewayBotResponse, error) {
	for failures := 1; ; failures++ {
		gw, err := a.rest.GatewayBot(discordgo.WithContext(ctx))
		if err == nil && gw.URL != "" {
			return gw, nil
		}
		if err == nil {
			err = errors.New("GET /gateway/bot returned no URL")
		}
		if statusOf(err) == http.StatusUnauthorized {
			return nil, fmt.Errorf("authentication failed: the token is not valid (%w)", err)
		}
		wait := min(a.knobs.gateway.backoffMin<<min(failures-1, 16), a.knobs.gateway.backoffMax)
		a.log.Warn("cannot reach Discord's gateway endpoint; retrying", "err", err, "wait", wait)
		if sleep(ctx, wait) != nil {
			return nil, fmt.Errorf("GET /gateway/bot: %w", err)
		}
	}
}

// startShards runs this process's shards; each reports its end on errc.
func (a *Adapter) startShards(ctx context.Context, gw *discordgo.GatewayBotResponse, count int, ids []int, errc chan<- error) {
	limiter := newIdentifyLimiter(gw.SessionStartLimit, a.knobs.identifySpacing, a.knobs.now,
		func(ctx context.Context) (discordgo.SessionInformation, error) {
			gw, err := a.rest.GatewayBot(discordgo.WithContext(ctx))
			if err != nil {
				return discordgo.SessionInformation{}, err
			}
			return gw.SessionStartLimit, nil
		}, a.log)
	if left := gw.SessionStartLimit.Remaining; left < len(ids) {
		a.log.Warn("fewer identifies left today than shards to start: some shards wait for the budget to reset",
			"remaining", left, "shards", len(ids), "reset_after", time.Duration(gw.SessionStartLimit.ResetAfter)*time.Millisecond)
	}
	a.shards = make([]*shard, 0, len(ids))
	for _, id := range ids {
		sh := &shard{
			id: id, count: count, token: a.cfg.botToken(), intents: a.intents, gateway: gw.URL,
			dialer: a.dialer, limiter: limiter, log: a.log, timing: a.knobs.gateway,
			onEvent: a.dispatch, onConnected: a.shardConnected, onPanic: a.panicked,
		}
		a.shards = append(a.shards, sh)
	}
	for _, sh := range a.shards {
		a.shardsRunning.Add(1)
		go func() {
			defer a.shardsRunning.Done()
			errc <- a.runShard(ctx, sh)
		}()
	}
}

// runShard runs a shard, recovering a panic as an error that stops the
// adapter: a gateway reader in an unknown state must not keep going.
func (a *Adapter) runShard(ctx context.Context, sh *shard) (err error) {
	defer func() {
		if v := recover(); v != nil {
			a.panicked("gateway", v)
			err = fmt.Errorf("shard %d: panic: %v", sh.id, v)
		}
	}()
	return sh.run(ctx)
}

// shardConnected keeps count of the shards serving; the adapter is ready
// when all of them are.
func (a *Adapter) shardConnected(sh *shard, up bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	was := a.up[sh.id]
	a.up[sh.id] = up
	switch {
	case up && !was && sh.sessions > 1:
		a.bot.Metrics().Reconnect(bot.Discord)
		a.log.Info("reconnected to the gateway", "shard", sh.id)
	case !up && was && !a.closing:
		a.log.Warn("disconnected from the gateway; reconnecting", "shard", sh.id)
	}
	n := 0
	for _, u := range a.up {
		if u {
			n++
		}
	}
	a.ready.Store(!a.closing && n == len(a.shards) && n > 0)
	if up {
		a.onceApp.Do(func() { close(a.appReady) })
	}
}
