package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Cooldown is a token bucket: PerMinute replies a minute on average, at most
// Burst at once. PerMinute 0 disables it.
type Cooldown struct {
	PerMinute float64
	Burst     int
}

func (c Cooldown) enabled() bool { return c.PerMinute > 0 && c.Burst > 0 }

// maxBuckets bounds the memory of the cooldowns: beyond it, full (idle)
// buckets are forgotten, which changes nothing since a new bucket is full.
const maxBuckets = 10000

// cooldowns limits replies per user and per channel. An over-limit key gets
// one notice, then silence until its bucket has a token again.
type cooldowns struct {
	mu      sync.Mutex
	user    Cooldown
	channel Cooldown
	buckets map[string]*bucket
}

type bucket struct {
	lim     *rate.Limiter
	burst   int
	noticed bool
}

func newCooldowns(user, channel Cooldown) *cooldowns {
	return &cooldowns{user: user, channel: channel, buckets: make(map[string]*bucket)}
}

// verdict is what the cooldowns say about one reply.
type verdict int

const (
	allowed verdict = iota
	// limitedNotice: over the limit, tell the user once.
	limitedNotice
	// limitedSilent: over the limit and already told.
	limitedSilent
)

// take spends one token of the user's and the channel's buckets if both
// have one. Otherwise nothing is spent, and the first refusal of each bucket
// asks for a notice.
func (c *cooldowns) take(m Message, now time.Time) (verdict, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	bs := make([]*bucket, 0, 2)
	if c.user.enabled() && m.User != "" {
		bs = append(bs, c.get("u\x00"+string(m.Platform)+"\x00"+m.User, c.user, now))
	}
	if c.channel.enabled() && m.Channel != "" {
		bs = append(bs, c.get("c\x00"+string(m.Platform)+"\x00"+m.Channel, c.channel, now))
	}
	v, wait := allowed, time.Duration(0)
	for _, b := range bs {
		tokens := b.lim.TokensAt(now)
		if tokens >= 1 {
			continue
		}
		wait = max(wait, time.Duration((1-tokens)/float64(b.lim.Limit())*float64(time.Second)))
		if v == allowed {
			v = limitedSilent
		}
		if !b.noticed {
			b.noticed, v = true, limitedNotice
		}
	}
	if v != allowed {
		return v, wait
	}
	for _, b := range bs {
		b.lim.AllowN(now, 1)
		b.noticed = false
	}
	return allowed, 0
}

func (c *cooldowns) get(key string, cd Cooldown, now time.Time) *bucket {
	if b, ok := c.buckets[key]; ok {
		return b
	}
	if len(c.buckets) >= maxBuckets {
		c.forgetIdle(now)
	}
	b := &bucket{lim: rate.NewLimiter(rate.Limit(cd.PerMinute/60), cd.Burst), burst: cd.Burst}
	// The limiter starts full; its clock starts at the first use.
	c.buckets[key] = b
	return b
}

// forgetIdle drops the buckets that are full again.
func (c *cooldowns) forgetIdle(now time.Time) {
	for k, b := range c.buckets {
		if b.lim.TokensAt(now) >= float64(b.burst) {
			delete(c.buckets, k)
		}
	}
}
