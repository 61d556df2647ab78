// Package metrics exports espbot's Prometheus metrics. It is the only
// package that imports the Prometheus client: the core and the adapters
// count through the bot.Metrics interface, which Metrics implements.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/espbot/espbot/bot"
)

// Metrics is a bot.Metrics backed by its own Prometheus registry (not the
// global one), so several instances can live in one process, e.g. in tests.
type Metrics struct {
	reg        *prometheus.Registry
	questions  *prometheus.CounterVec
	replies    *prometheus.CounterVec
	confidence *prometheus.HistogramVec
	latency    *prometheus.HistogramVec
	feedback   *prometheus.CounterVec
	reconnects *prometheus.CounterVec
	errors     *prometheus.CounterVec
	panics     *prometheus.CounterVec
	reloads    *prometheus.CounterVec
	entries    prometheus.Gauge
	ready      *prometheus.GaugeVec
	loaded     prometheus.Gauge
}

var _ bot.Metrics = (*Metrics)(nil)

// New registers espbot's metrics, plus the Go runtime and process
// collectors, in a fresh registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "espbot_questions_total", Help: "Questions received, by platform.",
		}, []string{"platform"}),
		replies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "espbot_replies_total", Help: "Replies sent, by platform and kind (answer, suggestions, no_match, help, notice).",
		}, []string{"platform", "kind"}),
		confidence: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "espbot_reply_confidence", Help: "Confidence of the best entry of each reply.",
			Buckets: []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1},
		}, []string{"platform"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "espbot_reply_latency_seconds", Help: "Time to decide a reply, from the message reaching the core.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9), // 100µs .. 6.5s
		}, []string{"platform"}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "espbot_feedback_total", Help: "Reactions to answers, by platform and kind (up, down, other_answer, dismiss).",
		}, []string{"platform", "kind"}),
		reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "espbot_adapter_reconnects_total", Help: "Chat platform reconnections, by platform.",
		}, []string{"platform"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "espbot_errors_total", Help: "Errors, by platform and where they happened (panic, send, ...).",
		}, []string{"platform", "where"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "espbot_panics_total", Help: "Panics recovered while handling a message or request, by platform (also counted in espbot_errors_total).",
		}, []string{"platform"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "espbot_reloads_total", Help: "Knowledge base reloads, by result (ok, error).",
		}, []string{"result"}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "espbot_knowledge_entries", Help: "FAQ entries in the index in use.",
		}),
		ready: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "espbot_adapter_ready", Help: "1 when the adapter is connected and serving.",
		}, []string{"platform"}),
		loaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "espbot_knowledge_loaded_timestamp_seconds", Help: "When the index in use was built.",
		}),
	}
	m.reg.MustRegister(m.questions, m.replies, m.confidence, m.latency, m.feedback,
		m.reconnects, m.errors, m.panics, m.reloads, m.entries, m.ready, m.loaded,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Question counts a question.
func (m *Metrics) Question(p bot.Platform) { m.questions.WithLabelValues(string(p)).Inc() }

// Replied counts a reply with its confidence and latency.
func (m *Metrics) Replied(p bot.Platform, k bot.Kind, confidence float64, latency time.Duration) {
	m.replies.WithLabelValues(string(p), k.String()).Inc()
	m.latency.WithLabelValues(string(p)).Observe(latency.Seconds())
	if k == bot.KindAnswer || k == bot.KindSuggestions || k == bot.KindNoMatch {
		m.confidence.WithLabelValues(string(p)).Observe(confidence)
	}
}

// Feedback counts a reaction to an answer.
func (m *Metrics) Feedback(p bot.Platform, k bot.FeedbackKind) {
	m.feedback.WithLabelValues(string(p), k.String()).Inc()
}

// Reconnect counts an adapter reconnection.
func (m *Metrics) Reconnect(p bot.Platform) { m.reconnects.WithLabelValues(string(p)).Inc() }

// Error counts an error; where says what failed ("panic" for a recovered panic).
func (m *Metrics) Error(p bot.Platform, where string) {
	m.errors.WithLabelValues(string(p), where).Inc()
	if where == "panic" {
		m.panics.WithLabelValues(string(p)).Inc()
	}
}

// Reload counts a knowledge base reload.
func (m *Metrics) Reload(ok bool) {
	if ok {
		m.reloads.WithLabelValues("ok").Inc()
		return
	}
	m.reloads.WithLabelValues("error").Inc()
}

// SetEntries records the size of the index in use, just built.
func (m *Metrics) SetEntries(n int) {
	m.entries.Set(float64(n))
	m.loaded.SetToCurrentTime()
}

// SetReady records whether an adapter is connected.
func (m *Metrics) SetReady(p bot.Platform, ready bool) {
	v := 0.0
	if ready {
		v = 1
	}
	m.ready.WithLabelValues(string(p)).Set(v)
}
