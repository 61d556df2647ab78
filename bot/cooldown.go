package bot

import (
	"context"
	"time"
)

// Cooldown is a token bucket: PerMinute replies a minute on average, at most
// Burst at once. PerMinute 0 disables it.
type Cooldown struct {
	PerMinute float64
	Burst     int
}

func (c Cooldown) enabled() bool { return c.PerMinute > 0 && c.Burst > 0 }

// perSecond is the bucket's refill rate.
func (c Cooldown) perSecond() float64 { return c.PerMinute / 60 }

// verdict is what the cooldowns say about one reply.
type verdict int

const (
	allowed verdict = iota
	// limitedNotice: over the limit, tell the asker once.
	limitedNotice
	// limitedSilent: over the limit and already told.
	limitedSilent
)

// limit is one bucket a reply must take a token from.
type limit struct {
	key string
	cd  Cooldown
}

// limits are the buckets of m: per user and per channel for chat, per
// client for API questions.
func (b *Bot) limits(m Message) []limit {
	var ls []limit
	p := string(m.Platform)
	switch {
	case m.Ask:
		if b.cfg.ClientCooldown.enabled() && m.User != "" {
			ls = append(ls, limit{"client\x00" + p + "\x00" + m.User, b.cfg.ClientCooldown})
		}
	default:
		if b.cfg.UserCooldown.enabled() && m.User != "" {
			ls = append(ls, limit{"user\x00" + p + "\x00" + m.User, b.cfg.UserCooldown})
		}
		if b.cfg.ChannelCooldown.enabled() && m.Channel != "" {
			ls = append(ls, limit{"channel\x00" + p + "\x00" + m.Channel, b.cfg.ChannelCooldown})
		}
	}
	return ls
}

// take spends one token of each of m's buckets if all have one. Otherwise
// nothing is spent, and the first refusal of each bucket asks for a
// notice; wait is how long until every bucket has a token again. When the
// state fails, the reply is allowed: answering a little too often beats
// falling silent.
func (b *Bot) take(ctx context.Context, m Message) (verdict, time.Duration) {
	ls := b.limits(m)
	if len(ls) == 0 {
		return allowed, 0
	}
	keys := make([]string, len(ls))
	for i, l := range ls {
		keys[i] = l.key
	}
	now := b.now()
	v, wait := allowed, time.Duration(0)
	err := b.state.UpdateBuckets(ctx, now, keys, func(bs []Bucket) []Bucket {
		var next []Bucket
		next, v, wait = spend(bs, ls, now)
		return next
	})
	if err != nil {
		b.stateFailed(m, "cooldown", err)
		return allowed, 0
	}
	return v, wait
}

// spend is the token bucket arithmetic of take, on the buckets' states.
func spend(bs []Bucket, ls []limit, now time.Time) ([]Bucket, verdict, time.Duration) {
	next := make([]Bucket, len(bs))
	v, wait := allowed, time.Duration(0)
	for i, bk := range bs {
		bk.Tokens = tokensAt(bk, ls[i].cd, now)
		bk.At = now
		if bk.Tokens < 1 {
			wait = max(wait, seconds((1-bk.Tokens)/ls[i].cd.perSecond()))
			if v == allowed {
				v = limitedSilent
			}
			if !bk.Noticed {
				bk.Noticed, v = true, limitedNotice
			}
		}
		next[i] = bk
	}
	for i := range next {
		if v == allowed {
			next[i].Tokens--
			next[i].Noticed = false
		}
		// Once full again the bucket is as good as new: it may be forgotten.
		next[i].Expires = now.Add(seconds((float64(ls[i].cd.Burst)-next[i].Tokens)/ls[i].cd.perSecond()) + time.Second)
	}
	return next, v, wait
}

// tokensAt is how many tokens bk holds at now: a new bucket is full, and
// tokens come back at the cooldown's rate up to its burst.
func tokensAt(bk Bucket, cd Cooldown, now time.Time) float64 {
	if bk.At.IsZero() {
		return float64(cd.Burst)
	}
	elapsed := max(0, now.Sub(bk.At).Seconds())
	return min(float64(cd.Burst), bk.Tokens+elapsed*cd.perSecond())
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
