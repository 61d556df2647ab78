package discord

import "sync"

// lane runs handlers of one kind (messages, interactions): at most max at
// once, the rest queued up to maxQueue. Submitting never blocks, so the
// gateway reader always reads on: an interaction is never stuck behind
// message handlers, whatever they wait for.
type lane struct {
	mu       sync.Mutex
	running  int
	queue    []func()
	max      int
	maxQueue int
}

func newLane(max, maxQueue int) *lane { return &lane{max: max, maxQueue: maxQueue} }

// submit runs f on a goroutine when a slot is free; false when the queue
// is full and f was dropped.
func (l *lane) submit(f func()) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running >= l.max {
		if len(l.queue) >= l.maxQueue {
			return false
		}
		l.queue = append(l.queue, f)
		return true
	}
	l.running++
	go l.work(f)
	return true
}

// work runs f, then the queued handlers, until the queue is empty.
func (l *lane) work(f func()) {
	for f != nil {
		f()
		l.mu.Lock()
		f = nil
		if len(l.queue) > 0 {
			f, l.queue = l.queue[0], l.queue[1:]
		} else {
			l.running--
		}
		l.mu.Unlock()
	}
}
