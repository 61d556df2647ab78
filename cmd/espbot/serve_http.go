package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/espbot/espbot/bot"
)

// mount registers serve's own endpoints: health, readiness, metrics and
// the JSON API. Adapters in HTTP mode mount theirs beside them.
func (s *server) mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.Handle("POST /v1/ask", s.recoverer(http.HandlerFunc(s.ask)))
}

// recoverer turns a panic in an API handler into a logged, counted 500
// with a JSON error, like the core does for chat messages.
func (s *server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.metrics.Error(bot.HTTP, "panic")
				s.log.Error("panic in an API handler", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeAPIError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// healthz says the process is alive.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeAPIJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is the body of /readyz.
type readiness struct {
	Ready    bool            `json:"ready"`
	Entries  int             `json:"entries"`
	Adapters map[string]bool `json:"adapters"`
	Reasons  []string        `json:"reasons,omitempty"`
}

// readyz says whether the knowledge base is loaded and every enabled
// adapter is connected; it turns not ready as soon as shutdown starts, so a
// load balancer stops sending work.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	st := readiness{Ready: true, Adapters: map[string]bool{}}
	if ix := s.bot.Index(); ix != nil {
		st.Entries = ix.Len()
	} else {
		st.Ready = false
		st.Reasons = append(st.Reasons, "knowledge base not loaded")
	}
	for _, a := range s.adapters {
		ok := a.adapter.Ready()
		st.Adapters[string(a.platform)] = ok
		s.metrics.SetReady(a.platform, ok)
		if !ok {
			st.Ready = false
			st.Reasons = append(st.Reasons, string(a.platform)+" not connected")
		}
	}
	if s.draining.Load() {
		st.Ready = false
		st.Reasons = append(st.Reasons, "shutting down")
	}
	code := http.StatusOK
	if !st.Ready {
		code = http.StatusServiceUnavailable
	}
	writeAPIJSON(w, code, st)
}

// askRequest is the body of POST /v1/ask.
type askRequest struct {
	Question string `json:"question"`
}

// ask answers one question with the same JSON object as "espbot ask --json".
func (s *server) ask(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.HTTP.MaxBodyBytes)
	var req askRequest
	if err := decodeJSON(r.Body, &req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
			return
		}
		writeAPIError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	q := strings.TrimSpace(req.Question)
	switch {
	case q == "":
		writeAPIError(w, http.StatusBadRequest, `"question" is required`)
		return
	case len(q) > bot.MaxQuestionBytes:
		writeAPIError(w, http.StatusBadRequest, fmt.Sprintf(`"question" is longer than %d bytes`, bot.MaxQuestionBytes))
		return
	}
	s.metrics.Question(bot.HTTP)
	res := s.bot.Index().Search(q)
	kind := bot.KindNoMatch
	switch {
	case res.Answered:
		kind = bot.KindAnswer
	case res.Best != nil:
		kind = bot.KindSuggestions
	}
	s.metrics.Replied(bot.HTTP, kind, res.Confidence, time.Since(start))
	writeAPIJSON(w, http.StatusOK, bot.NewAskResult(res))
}

// decodeJSON reads exactly one JSON object with known fields.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty body")
		}
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
}

func writeAPIError(w http.ResponseWriter, code int, msg string) {
	writeAPIJSON(w, code, apiError{Error: msg})
}

func writeAPIJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client has gone if this fails
}
