package slack

import (
	"context"
	"encoding/json"
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
	go func() { done <- a.runClient(runCtx) }()
	defer a.lostAt.Store(0) // stopped: not ready, no grace

	start := time.NewTimer(a.cfg.startTimeout())
	defer start.Stop()
	st := socketState{}
	for {
		select {
		case ev := <-a.events:
			a.safely("socket event", func() { a.onSocketEvent(runCtx, ev, &st) })
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

// runClient runs the Socket Mode client, starting it again after a panic
// in its run loop, so that a bug there does not stop the bot.
func (a *Adapter) runClient(ctx context.Context) error {
	for {
		err, panicked := a.runClientOnce(ctx)
		if !panicked || ctx.Err() != nil {
			return err
		}
		if !sleepCtx(ctx, time.Second) {
			return nil
		}
	}
}

func (a *Adapter) runClientOnce(ctx context.Context) (err error, panicked bool) {
	defer func() {
		if v := recover(); v != nil {
			a.panicked("socket mode client", v)
			panicked = true
		}
	}()
	return a.sock.RunContext(ctx), false
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
// acknowledged at once, within Slack's 3 seconds, and handled by workers.
func (a *Adapter) onSocketEvent(ctx context.Context, ev socketmode.Event, st *socketState) {
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		a.disconnected()
	case socketmode.EventTypeConnectionError:
		if e, ok := ev.Data.(*slack.ConnectionErrorEvent); ok {
			st.lastErr = e.ErrorObj
		}
		a.log.Warn("slack: socket mode connection failed", "err", st.lastErr)
	case socketmode.EventTypeInvalidAuth:
		st.lastErr = errors.New("invalid_auth")
	case socketmode.EventTypeConnected:
		a.connected(st)
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		a.onEnvelope(ctx, ev)
	case socketmode.EventTypeErrorBadMessage:
		a.onBadEnvelope(ctx, ev)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.bot.Metrics().Error(bot.Slack, string(ev.Type))
		a.log.Warn("slack: socket mode error", "type", ev.Type)
	}
}

// disconnected notes a lost connection. Readiness holds for refreshGrace:
// Slack asks every client to reconnect every few hours, and slack-go opens
// the new connection only after closing the old one.
func (a *Adapter) disconnected() {
	if a.ready.Swap(false) {
		a.lostAt.Store(time.Now().UnixNano())
	}
}

func (a *Adapter) connected(st *socketState) {
	if st.connected {
		a.bot.Metrics().Reconnect(bot.Slack)
		a.log.Info("slack: socket mode reconnected")
	} else {
		a.log.Info("slack: socket mode connected", "team", a.identity().teamID)
	}
	st.connected = true
	a.ready.Store(true)
	a.lostAt.Store(0)
}

// onEnvelope queues an envelope's work and acks it. A shed slash command is
// answered in the ack: the user learns the bot is busy, at no API cost.
func (a *Adapter) onEnvelope(ctx context.Context, ev socketmode.Event) {
	var payload any
	switch data := ev.Data.(type) {
	case slackevents.EventsAPIEvent:
		a.submit(a.eventJob(data))
	case slack.SlashCommand:
		if !a.submit(a.slashJob(data)) {
			payload = busyResponse()
		}
	case slack.InteractionCallback:
		a.submit(a.interactionJob(data))
	}
	if ev.Request != nil {
		a.ack(ctx, ev.Request.EnvelopeID, payload)
	}
}

// onBadEnvelope acks an envelope slack-go could not parse (a new event
// type, a payload it does not know): unacked, Slack would send it again
// and again.
func (a *Adapter) onBadEnvelope(ctx context.Context, ev socketmode.Event) {
	a.bot.Metrics().Error(bot.Slack, "bad_envelope")
	bad, _ := ev.Data.(*socketmode.ErrorBadMessage)
	if bad == nil {
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	_ = json.Unmarshal(bad.Message, &env)
	a.log.Warn("slack: socket mode envelope not understood", "type", env.Type, "err", bad.Cause)
	if env.EnvelopeID != "" {
		a.ack(ctx, env.EnvelopeID, nil)
	}
}

func (a *Adapter) ack(ctx context.Context, envelopeID string, payload any) {
	if err := a.sock.AckCtx(ctx, envelopeID, payload); err != nil {
		a.log.Warn("slack: ack failed", "err", err)
	}
}

// busyText tells a user whose command was shed to try again.
const busyText = "I'm answering a lot of questions right now. Please try again in a minute."

// busyResponse is a slash command response saying the bot is busy.
func busyResponse() map[string]string {
	return map[string]string{"response_type": "ephemeral", "text": busyText}
}
