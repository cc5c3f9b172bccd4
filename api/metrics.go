package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/training"
)

// metrics are the Prometheus series the API records. Labels are bounded:
// route patterns ("/v1/repositories/{uuid}/parse"), never paths, UUIDs or
// texts.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	parses   *prometheus.CounterVec
	classify prometheus.Histogram
	answers  *prometheus.CounterVec
}

// Latency buckets, in seconds: classification takes tens of microseconds,
// content answers with an LLM seconds.
var (
	requestBuckets  = []float64{0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
	classifyBuckets = []float64{0.00002, 0.00005, 0.0001, 0.0002, 0.0003, 0.0005, 0.001, 0.0025, 0.005, 0.01}
)

// newMetrics registers the API's series on reg.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sabia_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code."}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sabia_http_request_duration_seconds",
			Help: "Time to serve an HTTP request, by route pattern and method.", Buckets: requestBuckets}, []string{"route", "method"}),
		parses: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sabia_parses_total",
			Help: "Texts classified, by language and whether the top intent fell below the threshold (out_of_scope)."},
			[]string{"language", "out_of_scope"}),
		classify: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sabia_classify_duration_seconds",
			Help: "In-process classification time of a text (normalise, featurise, classify, extract entities).", Buckets: classifyBuckets}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sabia_content_answers_total",
			Help: "Questions answered from documents, by mode (llm or extractive) and whether an answer was found."},
			[]string{"mode", "answered"}),
	}
	reg.MustRegister(m.requests, m.latency, m.parses, m.classify, m.answers)
	return m
}

// knownMethods are the HTTP methods a metric label keeps; any other counts
// as "other".
var knownMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true}

// instrument records every request under its route pattern, known only once
// the router has matched it; requests no route matched count as
// "unmatched".
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		pattern := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			pattern = rc.RoutePattern()
		}
		code := ww.Status()
		if code == 0 {
			code = http.StatusOK
		}
		method := r.Method
		if !knownMethods[method] {
			method = "other" // the method is the client's word: bound the series
		}
		m.requests.WithLabelValues(pattern, method, strconv.Itoa(code)).Inc()
		m.latency.WithLabelValues(pattern, method).Observe(time.Since(start).Seconds())
	})
}

// parsed records one classification.
func (m *metrics) parsed(res training.Parsed) {
	if m == nil {
		return
	}
	m.parses.WithLabelValues(res.Language, strconv.FormatBool(res.Prediction.OutOfScope)).Inc()
	m.classify.Observe(res.Duration.Seconds())
}

// answered records one content answer.
func (m *metrics) answered(a content.Answer) {
	if m == nil {
		return
	}
	mode := a.Mode
	if mode == "" {
		mode = "none" // not answered
	}
	m.answers.WithLabelValues(mode, strconv.FormatBool(a.Answered)).Inc()
}

// metricsRoute serves the registry in Prometheus's text format.
func (s *Server) metricsRoute(g prometheus.Gatherer) {
	h := promhttp.HandlerFor(g, promhttp.HandlerOpts{})
	s.handle(route{Method: http.MethodGet, Pattern: "/metrics", Summary: "Prometheus metrics: requests, latencies, classifications, content answers, training jobs, cached models, Go runtime",
		Tag: "meta", Auth: authNone, Raw: "text/plain"}, h.ServeHTTP)
}
