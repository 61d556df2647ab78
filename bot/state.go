package bot

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// State is what the core remembers between messages: the events it has
// handled, the threads it has spoken in, the cooldown buckets and the
// question behind each answer. MemoryState keeps it in the process; the
// store keeps it in a database (botstore.State), so that it survives
// restarts and is shared by every instance behind a load balancer.
// Implementations must be safe for concurrent use, and atomic across
// everything that shares them. SetNote may write later (off the reply
// path), but Note in the same process must see the note at once.
type State interface {
	// Claim records key until expires and reports whether this call got
	// it: false while an earlier, unexpired claim holds it.
	Claim(ctx context.Context, key string, now, expires time.Time) (bool, error)
	// Claimed reports whether key is claimed at now.
	Claimed(ctx context.Context, key string, now time.Time) (bool, error)
	// UpdateBuckets runs fn on the buckets of keys (a missing or expired
	// one is the zero Bucket) and keeps what fn returns, atomically.
	UpdateBuckets(ctx context.Context, now time.Time, keys []string, fn func([]Bucket) []Bucket) error
	// SetNote keeps value under key until expires; Note returns it ("" when
	// there is none).
	SetNote(ctx context.Context, key, value string, now, expires time.Time) error
	Note(ctx context.Context, key string, now time.Time) (string, error)
}

// Bucket is the state of one cooldown token bucket. A zero At is a bucket
// never used, hence full.
type Bucket struct {
	Tokens float64
	At     time.Time
	// Noticed is true once the asker was told to slow down.
	Noticed bool
	// Expires is when the bucket is full again and may be forgotten.
	Expires time.Time
}

// Bounds of a MemoryState, per kind of entry. Expired entries go first;
// beyond a bound, the entries closest to expiry are forgotten early.
const (
	// DefaultMemoryClaims covers an hour of events at 1,000 a second, the
	// time Slack keeps redelivering one (about 55 bytes a claim, 220 MB at
	// most).
	DefaultMemoryClaims = 4_000_000
	// memoryNotes holds the askers' questions (an hour each) and the
	// adapters' answered messages (a day each): a day of answers at one a
	// second, about 10 MB. Beyond it the questions go first, as the
	// closest to expiry.
	memoryNotes   = 100_000
	memoryBuckets = 100_000
)

// MemoryState is a State held in the process: lost at restart and not
// shared, for a single instance without a store, the terminal and tests.
type MemoryState struct {
	claims  *expiring[struct{}]
	notes   *expiring[string]
	buckets *expiring[Bucket]
}

var _ State = (*MemoryState)(nil)

// NewMemoryState returns an empty MemoryState remembering at most
// maxClaims claims (0: DefaultMemoryClaims).
func NewMemoryState(maxClaims int) *MemoryState {
	if maxClaims <= 0 {
		maxClaims = DefaultMemoryClaims
	}
	seed := maphash.MakeSeed()
	return &MemoryState{
		claims:  newExpiring[struct{}](maxClaims, seed),
		notes:   newExpiring[string](memoryNotes, seed),
		buckets: newExpiring[Bucket](memoryBuckets, seed),
	}
}

// Claim implements State.
func (s *MemoryState) Claim(_ context.Context, key string, now, expires time.Time) (bool, error) {
	return s.claims.add(key, struct{}{}, now, expires), nil
}

// Claimed implements State.
func (s *MemoryState) Claimed(_ context.Context, key string, now time.Time) (bool, error) {
	_, ok := s.claims.get(key, now)
	return ok, nil
}

// UpdateBuckets implements State.
func (s *MemoryState) UpdateBuckets(_ context.Context, now time.Time, keys []string, fn func([]Bucket) []Bucket) error {
	s.buckets.update(keys, now, func(bs []Bucket) ([]Bucket, []time.Time) {
		bs = fn(bs)
		exp := make([]time.Time, len(bs))
		for i, b := range bs {
			exp[i] = b.Expires
		}
		return bs, exp
	})
	return nil
}

// SetNote implements State.
func (s *MemoryState) SetNote(_ context.Context, key, value string, now, expires time.Time) error {
	s.notes.put(key, value, now, expires)
	return nil
}

// Note implements State.
func (s *MemoryState) Note(_ context.Context, key string, now time.Time) (string, error) {
	v, _ := s.notes.get(key, now)
	return v, nil
}

// Forgotten is how many entries were forgotten before they expired
// because a bound was reached.
func (s *MemoryState) Forgotten() int {
	return s.claims.forgotten() + s.notes.forgotten() + s.buckets.forgotten()
}

// expiring is the one bounded cache of the core: values that expire, at
// most max of them. Keys are kept as 64-bit hashes (a collision among
// millions of keys is about a one-in-a-million chance), so an entry costs
// tens of bytes whatever the key. A heap orders expiries; it may hold stale
// stamps of replaced values, skipped when they surface.
type expiring[V any] struct {
	mu      sync.Mutex
	seed    maphash.Seed
	max     int
	items   map[uint64]expiringItem[V]
	heap    []stamp
	dropped int // forgotten before expiry because of max
}

type expiringItem[V any] struct {
	v       V
	expires int64
}

// stamp is one expiry in the heap.
type stamp struct {
	key     uint64
	expires int64
}

func newExpiring[V any](max int, seed maphash.Seed) *expiring[V] {
	return &expiring[V]{seed: seed, max: max, items: make(map[uint64]expiringItem[V])}
}

func (c *expiring[V]) hash(key string) uint64 { return maphash.String(c.seed, key) }

// get returns key's value if it has not expired at now.
func (c *expiring[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lookup(c.hash(key), nanos(now))
}

func (c *expiring[V]) lookup(k uint64, now int64) (V, bool) {
	it, ok := c.items[k]
	if !ok || it.expires <= now {
		var zero V
		return zero, false
	}
	return it.v, true
}

// add stores v under key unless an unexpired value is there; it reports
// whether it stored.
func (c *expiring[V]) add(key string, v V, now, expires time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.hash(key)
	if _, ok := c.lookup(k, nanos(now)); ok {
		return false
	}
	c.store(k, v, nanos(now), nanos(expires))
	return true
}

// put stores v under key, replacing what was there.
func (c *expiring[V]) put(key string, v V, now, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store(c.hash(key), v, nanos(now), nanos(expires))
}

// update runs fn on the values of keys (zero when absent or expired) and
// stores what it returns with the expiries it returns, under one lock.
func (c *expiring[V]) update(keys []string, now time.Time, fn func([]V) ([]V, []time.Time)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := make([]uint64, len(keys))
	vs := make([]V, len(keys))
	for i, key := range keys {
		ks[i] = c.hash(key)
		vs[i], _ = c.lookup(ks[i], nanos(now))
	}
	vs, exp := fn(vs)
	for i, k := range ks {
		c.store(k, vs[i], nanos(now), nanos(exp[i]))
	}
}

func (c *expiring[V]) store(k uint64, v V, now, expires int64) {
	c.items[k] = expiringItem[V]{v: v, expires: expires}
	c.push(stamp{k, expires})
	c.trim(now)
}

// trim drops expired entries, then the closest to expiry while there are
// too many, and rebuilds the heap when stale stamps outnumber live ones.
func (c *expiring[V]) trim(now int64) {
	for len(c.heap) > 0 {
		top := c.heap[0]
		it, ok := c.items[top.key]
		current := ok && it.expires == top.expires
		if current && top.expires > now && len(c.items) <= c.max {
			break
		}
		c.pop()
		if current {
			delete(c.items, top.key)
			if top.expires > now {
				c.dropped++
			}
		}
	}
	if len(c.heap) > 2*len(c.items)+64 {
		c.heap = c.heap[:0]
		for k, it := range c.items {
			c.push(stamp{k, it.expires})
		}
	}
}

func (c *expiring[V]) forgotten() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}

// nanos is t in Unix nanoseconds, 0 for the zero time (long expired).
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// push and pop keep c.heap a binary min-heap of expiries.
func (c *expiring[V]) push(s stamp) {
	h := append(c.heap, s)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p].expires <= h[i].expires {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	c.heap = h
}

func (c *expiring[V]) pop() {
	h := c.heap
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].expires < h[m].expires {
			m = l
		}
		if r < len(h) && h[r].expires < h[m].expires {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	c.heap = h
}
