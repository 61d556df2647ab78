package slack

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/espbot/espbot/bot"
)

// runSocket runs the Socket Mode client and dispatches its events until ctx
// is cancelled. slack-go reconnects by itself after a dropped socket or a
// "disconnect" request; this loop only watches start-up, readiness and
// reconnects.
func (a *Adapter) runSocket(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.sock.RunContext(runCtx) }()

	start := time.NewTimer(a.cfg.startTimeout())
	defer start.Stop()
	st := socketState{}
	for {
		select {
		case ev := <-a.events:
			a.onSocketEvent(runCtx, ev, &st)
			if st.connected {
				start.Stop()
			}
		case err := <-done:
			a.ready.Store(false)
			return socketExit(ctx, err, st)
		case <-start.C:
			if st.connected {
				continue
			}
			cancel()
			a.drainEvents(done)
			return fmt.Errorf("socket mode not connected within %s: %w", a.cfg.startTimeout(), st.lastErrOr(errors.New("no connection")))
		}
	}
}

// socketState is what the event loop remembers between events.
type socketState struct {
	connected bool // connected at least once
	lastErr   error
}

func (s socketState) lastErrOr(def error) error {
	if s.lastErr != nil {
		return s.lastErr
	}
	return def
}

// socketExit turns RunContext's return into Run's: nil after a requested
// shutdown, otherwise a fatal error (such as a revoked app token).
func socketExit(ctx context.Context, err error, st socketState) error {
	if ctx.Err() != nil {
		return nil
	}
	if err == nil {
		err = st.lastErrOr(errors.New("connection closed"))
	}
	if !st.connected {
		return fmt.Errorf("socket mode: apps.connections.open with the app token: %w", err)
	}
	return fmt.Errorf("socket mode: %w", err)
}

// drainEvents keeps reading events until RunContext has returned: slack-go
// blocks on a full Events channel, so it must be drained to stop.
func (a *Adapter) drainEvents(done <-chan error) {
	for {
		select {
		case <-a.events:
		case <-done:
			return
		}
	}
}

// onSocketEvent handles one event of the Socket Mode client. Envelopes are
// acknowledged first, within Slack's 3 seconds, and handled afterwards.
func (a *Adapter) onSocketEvent(ctx context.Context, ev socketmode.Event, st *socketState) {
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		a.ready.Store(false)
	case socketmode.EventTypeConnectionError:
		if e, ok := ev.Data.(*slack.ConnectionErrorEvent); ok {
			st.lastErr = e.ErrorObj
		}
		a.log.Warn("slack: socket mode connection failed", "err", st.lastErr)
	case socketmode.EventTypeInvalidAuth:
		st.lastErr = errors.New("invalid_auth")
	case socketmode.EventTypeConnected:
		if st.connected {
			a.bot.Metrics().Reconnect(bot.Slack)
			a.log.Info("slack: socket mode reconnected")
		} else {
			a.log.Info("slack: socket mode connected", "team", a.identity().teamID)
		}
		st.connected = true
		a.ready.Store(true)
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		a.onEnvelope(ctx, ev)
	case socketmode.EventTypeErrorBadMessage, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.bot.Metrics().Error(bot.Slack, string(ev.Type))
		a.log.Warn("slack: socket mode error", "type", ev.Type)
	}
}

// onEnvelope acks an envelope and hands its content to a goroutine.
func (a *Adapter) onEnvelope(ctx context.Context, ev socketmode.Event) {
	if ev.Request != nil {
		if err := a.sock.AckCtx(ctx, ev.Request.EnvelopeID, nil); err != nil {
			a.log.Warn("slack: ack failed", "err", err)
		}
	}
	switch data := ev.Data.(type) {
	case slackevents.EventsAPIEvent:
		a.spawn(func(ctx context.Context) { a.handleEventsAPI(ctx, data) })
	case slack.SlashCommand:
		a.spawn(func(ctx context.Context) { a.handleSlash(ctx, data) })
	case slack.InteractionCallback:
		a.spawn(func(ctx context.Context) { a.handleInteraction(ctx, data) })
	default:
		a.spawn(func(context.Context) {})
	}
}
