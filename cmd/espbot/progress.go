package main

import (
	"sync"

	"github.com/espbot/espbot/internal/progress"
)

// bar returns the progress line of one stage of long work ("eval 312/1480
// 21%"), drawn on stderr when it is a terminal and not at all otherwise.
// Call Done when the stage ends, to erase it.
func (e env) bar(label string) *progress.Bar {
	c := e.bars
	c.Label = label
	return progress.New(e.stderr, c)
}

// stepsOf adapts a bar to the (done, total) hooks of knowledge loading,
// eval and training: the first call starts the bar. The hooks may be
// called from several goroutines.
func stepsOf(b progress.Reporter) func(done, total int) {
	var mu sync.Mutex
	started, last := false, 0
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if !started {
			b.Start(total)
			started = true
		}
		b.Add(done - last)
		last = done
	}
}
