package bot

import (
	"sync"
	"time"
)

// recentSet remembers keys for a while, with bounded memory: at most max
// keys, each forgotten ttl after it was added (ttl 0: only the bound
// applies). It backs event de-duplication and "once per thread".
type recentSet struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	at    map[string]time.Time
	queue []stamped // insertion order, hence expiry order
}

type stamped struct {
	key string
	at  time.Time
}

func newRecentSet(max int, ttl time.Duration) *recentSet {
	return &recentSet{max: max, ttl: ttl, at: make(map[string]time.Time)}
}

// Add records key and reports whether it was new (absent or expired).
func (s *recentSet) Add(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now)
	if _, ok := s.at[key]; ok {
		return false
	}
	s.at[key] = now
	s.queue = append(s.queue, stamped{key, now})
	s.expire(now)
	return true
}

// Contains reports whether key was added and not yet forgotten.
func (s *recentSet) Contains(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now)
	_, ok := s.at[key]
	return ok
}

// Len is the number of keys remembered.
func (s *recentSet) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.at)
}

// expire forgets the oldest keys while there are too many or they are too old.
func (s *recentSet) expire(now time.Time) {
	for len(s.queue) > 0 {
		old := s.queue[0]
		if len(s.at) <= s.max && (s.ttl <= 0 || now.Sub(old.at) < s.ttl) {
			return
		}
		if at, ok := s.at[old.key]; ok && at.Equal(old.at) {
			delete(s.at, old.key)
		}
		s.queue[0] = stamped{}
		s.queue = s.queue[1:]
	}
}
