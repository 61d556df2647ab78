package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/espbot/espbot/bot"
)

// maxRequestBody bounds what an HTTP request may carry; Slack's are small.
const maxRequestBody = 1 << 20

// Mount registers the Events API endpoints on mux (HTTP mode). Every request
// is verified with the signing secret before anything else; the work is done
// after the response, because Slack gives up (and retries) after 3 seconds.
func (a *Adapter) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/events", a.serveEvents)
	mux.HandleFunc("POST /slack/commands", a.serveCommands)
	mux.HandleFunc("POST /slack/interactions", a.serveInteractions)
}

// verified reads the body and checks its signature and timestamp (at most
// five minutes old). On failure it answers 401 and returns false.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return nil, false
	}
	sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		a.bot.Metrics().Error(bot.Slack, "signature")
		a.log.Warn("slack: rejected unsigned request", "path", r.URL.Path, "err", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// serveEvents answers url_verification and acks event callbacks, handling
// them afterwards. Retries (X-Slack-Retry-Num) are acked like the rest and
// dropped by event ID in handleEventsAPI.
func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		// Unknown event types are not errors of ours: ack so Slack stops.
		a.log.Debug("slack: unparsed event", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		v, _ := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if v == nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": v.Challenge})
	case slackevents.CallbackEvent:
		a.spawnAfterAck(w, func(ctx context.Context) { a.handleEventsAPI(ctx, ev) })
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// serveCommands acks a slash command with an empty 200; the answer goes to
// its response URL.
func (a *Adapter) serveCommands(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("ssl_check") == "1" {
		w.WriteHeader(http.StatusOK) // Slack checking the certificate, not a command
		return
	}
	a.spawnAfterAck(w, func(ctx context.Context) { a.handleSlash(ctx, cmd) })
}

// serveInteractions acks a button or menu action; the reaction goes to its
// response URL.
func (a *Adapter) serveInteractions(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	a.spawnAfterAck(w, func(ctx context.Context) { a.handleInteraction(ctx, cb) })
}

// spawnAfterAck answers 200 and runs f as a reply in flight; once shutdown
// has begun it answers 503 so that Slack retries elsewhere or later.
func (a *Adapter) spawnAfterAck(w http.ResponseWriter, f func(ctx context.Context)) {
	if !a.Ready() || !a.spawn(f) {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
