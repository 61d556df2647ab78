// Package httpapi is espbot's HTTP surface: health (/healthz), readiness
// (/readyz), Prometheus metrics (/metrics) and the JSON API (POST /v1/ask),
// plus the server around them that degrades gracefully under load:
// timeouts on every phase of a connection, a cap on connections and on
// requests in flight (503 with Retry-After beyond), and health checks that
// are never shed.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/espbot/espbot/bot"
)

// Core is the part of *bot.Bot the API uses.
type Core interface {
	Handle(ctx context.Context, m bot.Message) bot.Reply
}

var _ Core = (*bot.Bot)(nil)

// Status is the body of /readyz.
type Status struct {
	Ready    bool            `json:"ready"`
	Entries  int             `json:"entries"`
	Adapters map[string]bool `json:"adapters"`
	Reasons  []string        `json:"reasons,omitempty"`
}

// Options configure the API.
type Options struct {
	// MaxBodyBytes bounds a request body (0: 64 KiB).
	MaxBodyBytes int64
	// ClientHeader names the request header that identifies the client
	// behind a reverse proxy (e.g. X-Forwarded-For: its first address);
	// "" takes the connection's address. Rate limits are per client.
	ClientHeader string
	// Status reports readiness for /readyz.
	Status func() Status
	// Metrics serves /metrics (nil: not mounted).
	Metrics http.Handler
	// Errors counts errors ("panic"); nil counts nothing.
	Errors bot.Metrics
	// Log receives panics.
	Log *slog.Logger
}

// API serves the endpoints.
type API struct {
	core Core
	o    Options
}

// New returns the API over core.
func New(core Core, o Options) *API {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 10
	}
	if o.Status == nil {
		o.Status = func() Status { return Status{Ready: true} }
	}
	if o.Errors == nil {
		o.Errors = bot.NopMetrics{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &API{core: core, o: o}
}

// Health paths are never shed: a load balancer must see the process alive
// and ready even when it turns work away.
func healthPaths() []string { return []string{"/healthz", "/readyz", "/metrics"} }

// Mount registers the endpoints on mux.
func (a *API) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.o.Metrics != nil {
		mux.Handle("GET /metrics", a.o.Metrics)
	}
	mux.Handle("POST /v1/ask", a.recoverer(http.HandlerFunc(a.ask)))
}

// recoverer turns a panic in a handler into a logged, counted 500 with a
// JSON error, like the core does for chat messages.
func (a *API) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.o.Errors.Error(bot.HTTP, "panic")
				a.o.Log.Error("panic in an API handler", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		h.ServeHTTP(w, r)
	})
}

func (a *API) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) readyz(w http.ResponseWriter, _ *http.Request) {
	st := a.o.Status()
	if st.Adapters == nil {
		st.Adapters = map[string]bool{}
	}
	code := http.StatusOK
	if !st.Ready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, st)
}

// ask answers one question with the same JSON object as "espbot ask --json":
// the core decides, records and rate-limits.
func (a *API) ask(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, a.o.MaxBodyBytes)
	q, code, msg := readQuestion(r.Body)
	if code != 0 {
		writeError(w, code, msg)
		return
	}
	reply := a.core.Handle(r.Context(), bot.Message{Platform: bot.HTTP, User: a.client(r), Text: q, Ask: true})
	switch {
	case reply.Kind == bot.KindNotice && reply.RetryAfter > 0:
		secs := int((reply.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many questions from this client: ask again in %d second%s", secs, plural(secs)))
	case reply.Kind == bot.KindIgnore:
		writeError(w, http.StatusServiceUnavailable, "shutting down: ask again later")
	case reply.Kind == bot.KindNotice:
		writeError(w, http.StatusInternalServerError, "internal error")
	default:
		writeJSON(w, http.StatusOK, bot.NewAskResult(reply))
	}
}

// client identifies who is asking, for rate limits: the configured header
// (its first comma-separated value) or the connection's address.
func (a *API) client(r *http.Request) string {
	if a.o.ClientHeader != "" {
		if v := r.Header.Get(a.o.ClientHeader); v != "" {
			first, _, _ := strings.Cut(v, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// askRequest is the body of POST /v1/ask.
type askRequest struct {
	Question *string `json:"question"`
}

// readQuestion reads exactly one JSON object {"question": "..."}. A
// problem is a status and a message in the client's terms, not the JSON
// decoder's.
func readQuestion(body io.Reader) (string, int, string) {
	const want = `send {"question": "your question"}`
	var req askRequest
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = terr
			if err == nil {
				return "", http.StatusBadRequest, "one JSON object only: " + want
			}
		}
	}
	if err != nil {
		code, msg := decodeProblem(err, want)
		return "", code, msg
	}
	q := ""
	if req.Question != nil {
		q = strings.TrimSpace(*req.Question)
	}
	switch {
	case q == "":
		return "", http.StatusBadRequest, `"question" is required: ` + want
	case len(q) > bot.MaxQuestionBytes:
		return "", http.StatusBadRequest, fmt.Sprintf(`"question" is longer than %d bytes: ask a shorter question`, bot.MaxQuestionBytes)
	}
	return q, 0, ""
}

// decodeProblem translates a JSON decoding error.
func decodeProblem(err error, want string) (int, string) {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return http.StatusBadRequest, "empty body: " + want
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest, "the body is not valid JSON: " + want
	case errors.As(err, &typ) && typ.Field == "question":
		return http.StatusBadRequest, `"question" must be a string: ` + want
	case errors.As(err, &typ):
		return http.StatusBadRequest, "the body must be a JSON object: " + want
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return http.StatusBadRequest, "unknown field " + field + `: the only field is "question"`
	}
	return http.StatusBadRequest, "the body is not valid JSON: " + want
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client has gone if this fails
}
