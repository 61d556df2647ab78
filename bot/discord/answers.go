package discord

import (
	"sync"
	"time"
)

// answered is what the adapter remembers of a question it answered.
type answered struct {
	channel, guild string
	// answer is the answer message's ID; "" while the answer is queued (or
	// if sending it failed).
	answer string
	at     time.Time
	edited bool
}

// answerLog maps question message IDs to their answers, so that an edited
// question edits its answer and a deleted question deletes it. It is
// bounded in size and age: the oldest entries go first.
type answerLog struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	m     map[string]*answered
	order []string // question IDs, oldest first
}

func newAnswerLog(max int, ttl time.Duration) *answerLog {
	return &answerLog{max: max, ttl: ttl, m: map[string]*answered{}}
}

// put remembers a question being answered.
func (l *answerLog) put(question string, a answered) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.m[question]; !ok {
		l.order = append(l.order, question)
	}
	l.m[question] = &a
	for len(l.order) > l.max {
		delete(l.m, l.order[0])
		l.order = l.order[1:]
	}
}

// setAnswer records the answer message once it is sent.
func (l *answerLog) setAnswer(question, answer string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a, ok := l.m[question]; ok {
		a.answer = answer
	}
}

// get returns what is remembered of a question, if it is not too old.
func (l *answerLog) get(question string, now time.Time) (answered, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.m[question]
	if !ok || now.Sub(a.at) > l.ttl {
		return answered{}, false
	}
	return *a, true
}

// markEdited reports whether the question's answer may be edited (once).
func (l *answerLog) markEdited(question string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.m[question]
	if !ok || a.edited {
		return false
	}
	a.edited = true
	return true
}

// remove forgets a question and returns what was remembered.
func (l *answerLog) remove(question string) (answered, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.m[question]
	if !ok {
		return answered{}, false
	}
	delete(l.m, question)
	return *a, true
}
