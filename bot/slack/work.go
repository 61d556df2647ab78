package slack

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/espbot/espbot/bot"
)

// jobTimeout bounds one job, retries and waits for Retry-After included, so
// that a hanging Slack holds a worker for a bounded time.
const jobTimeout = 30 * time.Second

// job is the work after an ack: one event, command or click. Workers run
// jobs; a full queue sheds them.
type job struct {
	// kind names the job in logs and metrics ("event", "command", ...).
	kind string
	run  func(ctx context.Context)
	// sorry, when set, apologises to the user after run panicked.
	sorry func(ctx context.Context)
}

// startWorkers starts the MaxInFlight workers and opens the queue.
func (a *Adapter) startWorkers() {
	a.queueMu.Lock()
	defer a.queueMu.Unlock()
	a.accepting = true
	for range a.cfg.maxInFlight() {
		a.workers.Go(func() {
			for j := range a.queue {
				a.runJob(j)
			}
		})
	}
}

// submit queues j without blocking: the Socket Mode loop and the HTTP
// handlers must stay responsive (acks, health checks) however slow Slack
// is. It returns false when j was shed (queue full) or the adapter is not
// running.
func (a *Adapter) submit(j job) bool {
	if a.enqueue(j) {
		return true
	}
	a.bot.Metrics().Error(bot.Slack, "shed")
	if ok, dropped := a.shedLog.allow(); ok {
		a.log.Warn("slack: too much work queued, shedding", "kind", j.kind,
			"in_flight", a.cfg.maxInFlight(), "queued", a.cfg.maxQueued(), "shed_since_last_log", dropped)
	}
	return false
}

// enqueue puts j in the queue if it is open and has room.
func (a *Adapter) enqueue(j job) bool {
	a.queueMu.Lock()
	defer a.queueMu.Unlock()
	if !a.accepting {
		return false
	}
	select {
	case a.queue <- j:
		a.accepted.Add(1)
		return true
	default:
		return false
	}
}

// runJob runs j with a deadline. A panic is recovered, logged (without the
// user's text), counted, and answered with j's apology.
func (a *Adapter) runJob(j job) {
	ctx, cancel := context.WithTimeout(a.work, jobTimeout)
	defer cancel()
	defer a.handled.Add(1)
	defer func() {
		if v := recover(); v != nil {
			a.panicked(j.kind, v)
			if j.sorry != nil {
				a.safely(j.kind+" apology", func() { j.sorry(ctx) })
			}
		}
	}()
	j.run(ctx)
}

// safely runs f, recovering (logging and counting) a panic.
func (a *Adapter) safely(kind string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			a.panicked(kind, v)
		}
	}()
	f()
}

func (a *Adapter) panicked(kind string, v any) {
	a.bot.Metrics().Error(bot.Slack, "panic")
	a.log.Error("slack: panic recovered", "kind", kind, "panic", truncate(fmt.Sprint(v), 200), "stack", string(debug.Stack()))
}

// drain stops accepting work, lets queued jobs and replies in flight finish
// for up to ShutdownTimeout, then cancels them and waits.
func (a *Adapter) drain() {
	a.queueMu.Lock()
	if a.accepting {
		a.accepting = false
		close(a.queue)
	}
	a.queueMu.Unlock()
	done := make(chan struct{})
	go func() {
		a.workers.Wait()
		close(done)
	}()
	t := time.NewTimer(a.cfg.shutdownTimeout())
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		a.log.Warn("slack: abandoning replies in flight at shutdown")
	}
	a.stopWork()
	<-done
}

// everySecond lets a repeated log line through at most once a second and
// counts the ones it held back, so that a flood of bad requests or shed
// events cannot flood the log.
type everySecond struct {
	last    atomic.Int64 // unix ns of the last line let through
	dropped atomic.Int64
}

// allow reports whether a line may be logged now, and how many were held
// back since the last one.
func (e *everySecond) allow() (bool, int64) {
	now := time.Now().UnixNano()
	last := e.last.Load()
	if now-last < int64(time.Second) || !e.last.CompareAndSwap(last, now) {
		e.dropped.Add(1)
		return false, 0
	}
	return true, e.dropped.Swap(0)
}
