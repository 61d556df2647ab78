package main

import (
	"net/http"

	"github.com/espbot/espbot/bot/httpapi"
)

// handler is serve's HTTP side: the API package's endpoints, plus those of
// adapters in HTTP mode (Slack's Events API).
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	httpapi.New(s.bot, httpapi.Options{
		MaxBodyBytes: s.cfg.HTTP.MaxBodyBytes,
		ClientHeader: s.cfg.HTTP.ClientHeader,
		Status:       s.status,
		Metrics:      s.metrics.Handler(),
		Errors:       s.metrics,
		Log:          s.log,
	}).Mount(mux)
	for _, a := range s.adapters {
		if hm, ok := a.adapter.(httpMounter); ok {
			hm.Mount(mux)
		}
	}
	return mux
}

// status says whether the knowledge base is loaded and every enabled
// adapter is connected; it turns not ready as soon as shutdown starts, so a
// load balancer stops sending work.
func (s *server) status() httpapi.Status {
	st := httpapi.Status{Ready: true, Adapters: map[string]bool{}}
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
	return st
}
