package main

import (
	"context"
	"net/http"
)

// adapter is a chat platform connection run by serve.
type adapter interface {
	// Run connects, serves until ctx is cancelled, and returns after a clean
	// shutdown (replies in flight finished or abandoned within a bound).
	Run(ctx context.Context) error
	// Ready reports whether the adapter is connected and serving.
	Ready() bool
}

// httpMounter is implemented by adapters that receive HTTP requests on
// serve's HTTP server (Slack's Events API mode).
type httpMounter interface {
	Mount(mux *http.ServeMux)
}
