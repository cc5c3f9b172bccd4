// Package api serves Sabiá over HTTP with chi: the native /v1 API, the
// Bothub-compatible routes flows already call (/parse, /v2/parse/, /info/),
// authentication, the one error-to-status map and the OpenAPI document.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/training"
)

// Engine trains models and classifies texts with them. training.Engine
// implements it.
type Engine interface {
	// Train starts a training job for each language of the version that
	// needs one (lang "" means every language; force retrains unchanged
	// data). It returns the jobs, including already active ones, and the
	// languages it started nothing for, with why.
	Train(ctx context.Context, repoUUID string, versionID int64, lang string, force bool) ([]repository.Job, []training.Skipped, error)
	// Parse classifies text with the repository's trained model, never
	// touching the store when the model and settings are cached.
	Parse(ctx context.Context, req training.ParseRequest) (training.Parsed, error)
	// ParseBatch classifies texts with one model, in order.
	ParseBatch(ctx context.Context, req training.ParseRequest, texts []string) ([]training.Parsed, error)
	// Forget drops cached settings of a repository after it changed.
	Forget(repoUUID string)
	// Drop drops everything cached of a deleted repository, models included.
	Drop(repoUUID string)
	// Explain classifies a text and explains each word's contribution.
	Explain(ctx context.Context, req training.ParseRequest, top int) (training.Explained, error)
	// Evaluate starts an evaluation job (test set or cross-validation).
	Evaluate(ctx context.Context, req training.EvaluateRequest) (repository.Job, error)
}

// Config configures a Server.
type Config struct {
	// AdminToken authorises everything.
	AdminToken string
	// Version is reported in the OpenAPI document.
	Version string
	// RequestTimeout bounds one request.
	RequestTimeout time.Duration
	// Logger receives request logs.
	Logger *slog.Logger
	// Detector serves /v1/detect; nil answers that detectors are not loaded.
	Detector Detector
	// Logs receives an interaction log for every classification; nil logs
	// nothing.
	Logs LogSink
	// Stats, when set, adds counters to /healthz (interaction logs written,
	// dropped, failed).
	Stats func() map[string]int64
	// Content answers questions from repositories' documents; nil answers
	// that content answers are not configured.
	Content Content
	// Ready reports whether the server can serve traffic (/readyz).
	Ready func(ctx context.Context) error
	// RateLimit, when positive, bounds the requests of each repository token
	// to this many per second on average, in bursts of up to RateBurst
	// (default twice RateLimit, at least 1); past it the API answers 429
	// rate_limited with Retry-After. The admin token is never limited. Each
	// server counts alone: behind a load balancer a token gets the sum.
	RateLimit float64
	RateBurst int
	// Metrics, when set, receives the API's Prometheus series and is served
	// at /metrics (with whatever else the caller registered on it).
	Metrics *prometheus.Registry
}

// Server is the HTTP API.
type Server struct {
	cfg     Config
	repos   *repository.Service
	engine  Engine
	auth    *authCache
	routes  []route
	router  chi.Router
	metrics *metrics     // nil without Config.Metrics
	limiter *rateLimiter // nil without Config.RateLimit
}

// New builds the Server and its routes.
func New(cfg Config, repos *repository.Service, engine Engine) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	s := &Server{cfg: cfg, repos: repos, engine: engine, auth: newAuthCache(repos, 30*time.Second)}
	r := chi.NewRouter()
	if cfg.RateLimit > 0 {
		burst := cfg.RateBurst
		if burst <= 0 {
			burst = max(1, int(math.Ceil(2*cfg.RateLimit)))
		}
		s.limiter = newRateLimiter(cfg.RateLimit, burst, time.Now)
	}
	if cfg.Metrics != nil {
		s.metrics = newMetrics(cfg.Metrics)
		r.Use(s.metrics.instrument)
	}
	r.Use(middleware.RequestID, middleware.RealIP, requestLogger(cfg.Logger), recoverer, middleware.Timeout(cfg.RequestTimeout))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, errNotFound("no route for "+r.Method+" "+r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed", Message: r.Method + " is not allowed on " + r.URL.Path}})
	})
	s.router = r
	s.healthRoutes()
	s.repositoryRoutes()
	s.versionRoutes()
	s.exampleRoutes()
	s.intentRoutes()
	s.trainRoutes()
	s.tokenRoutes()
	s.parseRoutes()
	s.detectRoutes()
	s.testSentenceRoutes()
	s.evaluationRoutes()
	s.logRoutes()
	s.contentRoutes()
	s.uploadRoute()
	s.importExportRoutes()
	s.statusRoutes()
	s.debugRoutes()
	if cfg.Metrics != nil {
		s.metricsRoute(cfg.Metrics)
	}
	var doc []byte
	s.handle(route{Method: http.MethodGet, Pattern: "/openapi.json", Summary: "This OpenAPI 3.1 document", Tag: "meta", Auth: authNone},
		func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(doc)
		})
	doc, _ = json.Marshal(openAPI(s.routes, cfg.Version))
	return s
}

// ForgetTokens drops the cached authentication of a token (after another
// process revoked it), of every token of a repository (tokenID "") or of
// every token (both ""). Within one process the routes do it themselves.
func (s *Server) ForgetTokens(repoUUID, tokenID string) { s.auth.forget(repoUUID, tokenID) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// handle registers a route with chi and records it for the OpenAPI document.
// Authentication runs before h according to rt.Auth.
func (s *Server) handle(rt route, h http.HandlerFunc) {
	s.routes = append(s.routes, rt)
	var hh http.Handler = h
	if rt.Auth != authNone {
		hh = s.authenticate(rt.Auth, h)
	}
	s.router.Method(rt.Method, rt.Pattern, hh)
}

func (s *Server) healthRoutes() {
	s.handle(route{Method: http.MethodGet, Pattern: "/healthz", Summary: "Liveness: the process answers", Tag: "meta", Auth: authNone, Response: Status{}},
		func(w http.ResponseWriter, _ *http.Request) {
			st := Status{Status: "ok"}
			if s.cfg.Stats != nil {
				st.Counters = s.cfg.Stats()
			}
			writeJSON(w, http.StatusOK, st)
		})
	s.handle(route{Method: http.MethodGet, Pattern: "/readyz", Summary: "Readiness: the store answers and models are loaded", Tag: "meta", Auth: authNone, Response: Status{}},
		func(w http.ResponseWriter, r *http.Request) {
			if s.cfg.Ready != nil {
				if err := s.cfg.Ready(r.Context()); err != nil {
					writeJSON(w, http.StatusServiceUnavailable, Status{Status: "unavailable", Detail: err.Error()})
					return
				}
			}
			writeJSON(w, http.StatusOK, Status{Status: "ok"})
		})
}

// Status is the body of /healthz and /readyz.
type Status struct {
	Status   string           `json:"status"`
	Detail   string           `json:"detail,omitempty"`
	Counters map[string]int64 `json:"counters,omitempty"`
}
