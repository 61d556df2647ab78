package slack

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/espbot/espbot/bot"
)

// Bounds of HTTP requests. Slack's are small; a body is only read once its
// headers look like Slack's.
const (
	maxRequestBody = 1 << 20
	// maxSSLCheckBody bounds the unsigned ssl_check requests read before
	// verification.
	maxSSLCheckBody = 4 << 10
	// maxClockSkew is how old (or new) a request's timestamp may be, as
	// Slack's SDKs allow.
	maxClockSkew = 5 * time.Minute
)

// Mount registers the Events API endpoints on mux (HTTP mode). Every request
// is verified with the signing secret before anything else; the work is done
// after the response, because Slack gives up (and retries) after 3 seconds.
func (a *Adapter) Mount(mux *http.ServeMux) {
	mux.Handle("POST "+PathEvents, a.verified(a.serveEvents))
	mux.Handle("POST "+PathCommands, a.verified(a.serveCommands))
	mux.Handle("POST "+PathInteractions, a.verified(a.serveInteractions))
}

// verified wraps h, which gets the request's verified body. Rejections are
// cheap: the size, headers and timestamp are checked before the body is
// read and hashed, and logged at most once a second. A panic in h is
// recovered and answered 500 (Slack retries).
func (a *Adapter) verified(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer a.recoverHTTP(w, r)
		// A slow client cannot hold the connection: Slack sends its small
		// requests at once.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(a.readTimeout))
		if r.ContentLength > maxRequestBody {
			a.reject(w, r, http.StatusRequestEntityTooLarge, "too_large", errors.New("body too large"))
			return
		}
		if err := checkHeaders(r.Header, time.Now()); err != nil {
			if isSSLCheck(r) {
				w.WriteHeader(http.StatusOK) // Slack checking the certificate, before any signing
				return
			}
			a.reject(w, r, http.StatusUnauthorized, "signature", err)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				a.reject(w, r, http.StatusRequestEntityTooLarge, "too_large", err)
				return
			}
			a.reject(w, r, http.StatusBadRequest, "bad_request", err)
			return
		}
		if err := a.checkSignature(r.Header, body); err != nil {
			a.reject(w, r, http.StatusUnauthorized, "signature", err)
			return
		}
		h(w, r, body)
	})
}

// checkHeaders checks what can be checked without the body: both headers
// present and well formed, and a timestamp within maxClockSkew of now.
func checkHeaders(h http.Header, now time.Time) error {
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if _, err := hex.DecodeString(hexSig); !ok || len(hexSig) != 64 || err != nil {
		return errors.New("malformed X-Slack-Signature")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("malformed X-Slack-Request-Timestamp")
	}
	if d := now.Sub(time.Unix(secs, 0)); d > maxClockSkew || d < -maxClockSkew {
		return errors.New("timestamp too old or in the future")
	}
	return nil
}

// checkSignature checks the HMAC of the body with the signing secret.
func (a *Adapter) checkSignature(h http.Header, body []byte) error {
	sv, err := slack.NewSecretsVerifier(h, a.cfg.SigningSecret)
	if err != nil {
		return err
	}
	_, _ = sv.Write(body)
	return sv.Ensure()
}

// isSSLCheck reports whether r is Slack's unsigned certificate check of a
// slash command URL (a small form with ssl_check=1), which Slack's SDKs
// answer before verifying signatures. It reads at most maxSSLCheckBody.
func isSSLCheck(r *http.Request) bool {
	if r.URL.Path != PathCommands || r.ContentLength <= 0 || r.ContentLength > maxSSLCheckBody {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSSLCheckBody))
	if err != nil {
		return false
	}
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("ssl_check") == "1"
}

// reject answers a request that is not Slack's, counting it and logging at
// most once a second.
func (a *Adapter) reject(w http.ResponseWriter, r *http.Request, code int, where string, err error) {
	a.bot.Metrics().Error(bot.Slack, where)
	if ok, dropped := a.rejectLog.allow(); ok {
		a.log.Warn("slack: rejected request", "path", r.URL.Path, "status", code, "err", err, "rejected_since_last_log", dropped)
	}
	w.Header().Set("Connection", "close") // do not keep serving a misbehaving client
	http.Error(w, http.StatusText(code), code)
}

func (a *Adapter) recoverHTTP(w http.ResponseWriter, r *http.Request) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		a.panicked("http "+r.URL.Path, v)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// serveEvents answers url_verification and acks event callbacks, handling
// them afterwards. Retries (X-Slack-Retry-Num) are acked like the rest and
// dropped by event ID in handleEventsAPI.
func (a *Adapter) serveEvents(w http.ResponseWriter, _ *http.Request, body []byte) {
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
		a.accept(w, a.eventJob(ev), nil)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// serveCommands acks a slash command with an empty 200; the answer goes to
// its response URL.
func (a *Adapter) serveCommands(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("ssl_check") == "1" {
		w.WriteHeader(http.StatusOK)
		return
	}
	a.accept(w, a.slashJob(cmd), busyResponse())
}

// serveInteractions acks a click or shortcut; the reaction goes to its
// response URL.
func (a *Adapter) serveInteractions(w http.ResponseWriter, _ *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	a.accept(w, a.interactionJob(cb), nil)
}

// accept queues j and answers 200. Before Run and after shutdown it answers
// 503, so that Slack retries later. When the queue is full, j is shed: the
// request is still acknowledged (with busy, when set, as the response
// message) and Slack is told not to retry into an overloaded bot.
func (a *Adapter) accept(w http.ResponseWriter, j job, busy any) {
	if !a.ready.Load() {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	if a.submit(j) {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("X-Slack-No-Retry", "1")
	if busy == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(busy)
}
