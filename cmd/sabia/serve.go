package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/weni-ai/sabia/api"
	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/content/openai"
	"github.com/weni-ai/sabia/datasets"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/postgres"
	"github.com/weni-ai/sabia/repository/sqlite"
	"github.com/weni-ai/sabia/training"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// serveConfig is what `sabia serve` reads from flags and environment.
type serveConfig struct {
	Addr       string
	DataDir    string
	AdminToken string
	CacheBytes int64
	LogFormat  string
	// NoInteractionLogs turns off the logging of classifications.
	NoInteractionLogs bool
	// RateLimit and RateBurst bound each repository token's requests (see
	// api.Config); 0 means no limit.
	RateLimit float64
	RateBurst int
	// PostgresDSN, when set, keeps everything in that PostgreSQL database
	// (with pgvector) instead of the embedded SQLite file; the job queue
	// runs there too, so several servers can share it.
	PostgresDSN string
	// LLMBaseURL, LLMAPIKey, LLMModel and EmbeddingModel configure content
	// answers through an OpenAI-compatible endpoint: with LLMModel, answers
	// are written by that model; with EmbeddingModel, passages are embedded
	// by it. Without them answers are extractive and embeddings in process.
	LLMBaseURL     string
	LLMAPIKey      string
	LLMModel       string
	EmbeddingModel string
	// ContentMinCosine also admits passages by embedding cosine (see
	// content.Config.MinCosine); 0 admits by words only.
	ContentMinCosine float64
	// logger, when set, replaces the one built from LogFormat (tests).
	logger *slog.Logger
}

// envDefault returns the environment variable's value or def.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// minRateLimit is the smallest --rate-limit: one request every 1,000 s.
// Smaller rates would overflow the wait a 429 announces.
const minRateLimit = 0.001

func newServeCmd() *cobra.Command {
	var cfg serveConfig
	cache := envDefault("SABIA_CACHE_BYTES", strconv.Itoa(1<<30))
	rate, burst := envDefault("SABIA_RATE_LIMIT", "0"), envDefault("SABIA_RATE_BURST", "0")
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server on the embedded store",
		Long: "Runs the HTTP API on the embedded SQLite store in --data-dir. Flags default to the\n" +
			"environment variables SABIA_ADDR, SABIA_DATA_DIR, SABIA_ADMIN_TOKEN and SABIA_CACHE_BYTES.\n" +
			"Without an admin token, one is generated on first start, kept in the data directory\n" +
			"(file admin-token) and logged once.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := strconv.ParseInt(cache, 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("--cache-bytes must be a positive number of bytes, got %q", cache)
			}
			cfg.CacheBytes = n
			if cfg.RateLimit, err = strconv.ParseFloat(rate, 64); err != nil || !(cfg.RateLimit == 0 || cfg.RateLimit >= minRateLimit) || math.IsInf(cfg.RateLimit, 0) {
				return fmt.Errorf("--rate-limit must be 0 (no limit) or a number of requests per second of at least %g, got %q", minRateLimit, rate)
			}
			if cfg.RateBurst, err = strconv.Atoi(burst); err != nil || cfg.RateBurst < 0 {
				return fmt.Errorf("--rate-burst must be a whole number of requests (0: twice the rate), got %q", burst)
			}
			return serve(cmd.Context(), cfg, nil)
		},
	}
	cmd.Flags().StringVar(&cfg.Addr, "addr", envDefault("SABIA_ADDR", "127.0.0.1:8080"), "listen address (SABIA_ADDR)")
	cmd.Flags().StringVar(&cfg.DataDir, "data-dir", envDefault("SABIA_DATA_DIR", "./sabia-data"), "data directory of the embedded store (SABIA_DATA_DIR)")
	cmd.Flags().StringVar(&cfg.AdminToken, "admin-token", envDefault("SABIA_ADMIN_TOKEN", ""), "admin token (SABIA_ADMIN_TOKEN); generated when empty")
	cmd.Flags().StringVar(&cache, "cache-bytes", cache, "memory bound of loaded models in bytes (SABIA_CACHE_BYTES)")
	cmd.Flags().StringVar(&rate, "rate-limit", rate, "requests per second each repository token may make on average, per server; 0 for no limit (SABIA_RATE_LIMIT)")
	cmd.Flags().StringVar(&burst, "rate-burst", burst, "requests a token may make at once above --rate-limit; 0 for twice the rate (SABIA_RATE_BURST)")
	cmd.Flags().BoolVar(&cfg.NoInteractionLogs, "no-interaction-logs", os.Getenv("SABIA_NO_INTERACTION_LOGS") != "", "do not log classifications (SABIA_NO_INTERACTION_LOGS)")
	cmd.Flags().StringVar(&cfg.PostgresDSN, "postgres", envDefault("SABIA_POSTGRES_DSN", ""), "PostgreSQL DSN (with pgvector) to use instead of the embedded store, e.g. postgres://sabia@db/sabia (SABIA_POSTGRES_DSN)")
	contentFlags(cmd, &cfg)
	cmd.Flags().StringVar(&cfg.LogFormat, "log-format", envDefault("SABIA_LOG_FORMAT", ""), "json or text; default json unless stderr is a terminal")
	return cmd
}

func newLogger(format string) *slog.Logger {
	if format == "" {
		format = "json"
		if term.IsTerminal(int(os.Stderr.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, nil))
}

// adminToken returns the configured token, or the one kept in the data
// directory, generating and keeping it on first start.
func adminToken(cfg serveConfig, log *slog.Logger) (string, error) {
	if cfg.AdminToken != "" {
		return cfg.AdminToken, nil
	}
	path := filepath.Join(cfg.DataDir, "admin-token")
	if b, err := os.ReadFile(path); err == nil {
		if t := strings.TrimSpace(string(b)); t != "" {
			log.Info("admin token read from the data directory", "path", path)
			return t, nil
		}
	}
	var buf [24]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", err
	}
	t := "sabia_admin_" + hex.EncodeToString(buf[:])
	if err := os.WriteFile(path, []byte(t+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keeping the admin token: %w", err)
	}
	log.Info("generated an admin token; it is kept in the data directory and shown only now", "admin_token", t, "path", path)
	return t, nil
}

// serve runs the server until ctx is done. ready, when not nil, receives the
// bound address once the server listens (tests).
func serve(ctx context.Context, cfg serveConfig, ready chan<- string) error {
	// Ends what serve starts in the background (the change listener, the
	// log cleaner) when it returns, also when it fails to start.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	log := cfg.logger
	if log == nil {
		log = newLogger(cfg.LogFormat)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	token, err := adminToken(cfg, log)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return fmt.Errorf("opening store: %w", err)
	}
	defer store.Close()
	repos := repository.NewService(store, time.Now)
	contents, err := newContentService(cfg, store)
	if err != nil {
		return err
	}

	start := time.Now()
	detectors, err := datasets.NewDetectors(ctx)
	if err != nil {
		return fmt.Errorf("training the built-in detectors: %w", err)
	}
	log.Info("built-in detectors ready", "languages", datasets.DetectorLanguages, "ms", time.Since(start).Milliseconds())

	var engine *training.Engine
	metrics := newServerMetrics()
	queue, err := training.NewQueue(ctx, store.DB(), training.QueueConfig{Logger: log, Postgres: cfg.PostgresDSN != "",
		OnState: func(id string, s training.State, p float64, err error) {
			metrics.jobState(id, s, err)
			engine.OnState(id, s, p, err)
		}})
	if err != nil {
		return fmt.Errorf("starting job queue: %w", err)
	}
	engine = training.NewEngine(repos, queue, training.EngineConfig{CacheBytes: cfg.CacheBytes, Logger: log, Detector: detectors})
	if err := engine.Resume(ctx); err != nil {
		return err
	}
	if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting job queue: %w", err)
	}

	logs := training.NewBatchWriter(training.BatchConfig{Logger: log}, repos.InsertLogs)
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := logs.Close(closeCtx); err != nil {
			log.Warn("flushing interaction logs", "err", err)
		}
	}()
	go cleanLogs(ctx, repos, log)

	var sink api.LogSink = logs
	if cfg.NoInteractionLogs {
		sink = nil
	}
	stats := func() map[string]int64 {
		return map[string]int64{"logs_written": logs.Written(), "logs_dropped": logs.Dropped(), "logs_failed": logs.Failed()}
	}
	metrics.watch(engine.CachedModels, stats)
	handler := api.New(api.Config{AdminToken: token, Version: version, Logger: log, Detector: detectors, Logs: sink, Content: contents,
		Stats: stats, Metrics: metrics.reg, RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst,
		Ready: func(ctx context.Context) error { return store.DB().PingContext(ctx) }}, repos, engine)
	if pg, ok := store.(*postgres.Store); ok {
		// Other servers on the same database: hear what they change.
		err := pg.Listen(ctx, func(c postgres.Change) { forgetChanged(c, engine, contents, handler) },
			func(err error) { log.Warn("listening for other servers' changes; reconnecting", "err", err) })
		if err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	log.Info("sabia listening", "addr", ln.Addr().String(), "data_dir", cfg.DataDir, "postgres", cfg.PostgresDSN != "", "version", version)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := queue.Stop(shutCtx); err != nil {
		log.Warn("queue shutdown", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// logCleanupInterval is how often logs past their repository's retention
// are deleted.
const logCleanupInterval = time.Hour

// cleanLogs deletes interaction logs older than each repository's retention,
// at start and then every logCleanupInterval, until ctx is done.
func cleanLogs(ctx context.Context, repos *repository.Service, log *slog.Logger) {
	t := time.NewTicker(logCleanupInterval)
	defer t.Stop()
	for {
		n, err := repos.DeleteLogsOlderThanRetention(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("deleting old interaction logs", "err", err)
		case n > 0:
			log.Info("deleted interaction logs past retention", "logs", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// newContentService wires content answers: the store's documents, the
// configured OpenAI-compatible endpoint for the LLM and embeddings when
// given, in-process embeddings and extractive answers otherwise.
func newContentService(cfg serveConfig, store content.Store) (*content.Service, error) {
	ccfg := content.Config{MinCosine: cfg.ContentMinCosine}
	if cfg.LLMModel != "" || cfg.EmbeddingModel != "" {
		if cfg.LLMBaseURL == "" {
			return nil, fmt.Errorf("--llm-model and --embedding-model need --llm-base-url")
		}
		client, err := openai.New(openai.Config{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, ChatModel: cfg.LLMModel, EmbeddingModel: cfg.EmbeddingModel})
		if err != nil {
			return nil, fmt.Errorf("content answers: %w", err)
		}
		if cfg.LLMModel != "" {
			ccfg.LLM = client
		}
		if cfg.EmbeddingModel != "" {
			ccfg.Embedder = client
		}
	}
	return content.NewService(store, ccfg), nil
}

// backend is a store serve can run on: the embedded SQLite file or
// PostgreSQL.
type backend interface {
	repository.Store
	content.Store
	DB() *sql.DB
	Close() error
}

// forgetChanged drops what this server holds in memory that a change by
// another server sharing the PostgreSQL database made stale.
func forgetChanged(c postgres.Change, engine *training.Engine, contents *content.Service, handler *api.Server) {
	switch c.Kind {
	case postgres.ChangeRepository:
		engine.Forget(c.Repository)
	case postgres.ChangeRepositoryDeleted:
		engine.Drop(c.Repository)
		contents.Forget(c.Repository)
		handler.ForgetTokens(c.Repository, "")
	case postgres.ChangeVersions:
		// The settings hold the default version; a deleted version's models
		// must go, the others' stay. Settings reload lazily.
		engine.Forget(c.Repository)
		if c.Version != 0 {
			engine.DropVersion(c.Repository, c.Version)
		}
	case postgres.ChangeModel:
		engine.ForgetModel(c.Repository, c.Version, c.Language, c.Model)
	case postgres.ChangeDocuments:
		contents.Forget(c.Repository)
	case postgres.ChangeToken:
		handler.ForgetTokens("", c.Token)
	default: // ChangeLost, or a kind this build does not know
		engine.ForgetAll()
		contents.ForgetAll()
		handler.ForgetTokens("", "")
	}
}

// openStore opens PostgreSQL when cfg.PostgresDSN is set, the SQLite file
// in the data directory otherwise.
func openStore(ctx context.Context, cfg serveConfig) (backend, error) {
	if cfg.PostgresDSN != "" {
		return postgres.Open(ctx, cfg.PostgresDSN)
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "sabia.db"))
}

// contentFlags declares the flags of content answers (the LLM and embedding
// endpoint), shared by serve and content-eval.
func contentFlags(cmd *cobra.Command, cfg *serveConfig) {
	cmd.Flags().StringVar(&cfg.LLMBaseURL, "llm-base-url", envDefault("SABIA_LLM_BASE_URL", ""), "OpenAI-compatible API root for content answers, e.g. https://api.openai.com/v1 (SABIA_LLM_BASE_URL)")
	cmd.Flags().StringVar(&cfg.LLMAPIKey, "llm-api-key", envDefault("SABIA_LLM_API_KEY", ""), "API key of --llm-base-url (SABIA_LLM_API_KEY)")
	cmd.Flags().StringVar(&cfg.LLMModel, "llm-model", envDefault("SABIA_LLM_MODEL", ""), "chat model that writes content answers; extractive answers when empty (SABIA_LLM_MODEL)")
	cmd.Flags().StringVar(&cfg.EmbeddingModel, "embedding-model", envDefault("SABIA_EMBEDDING_MODEL", ""), "embedding model for document passages; in-process hashed embeddings when empty (SABIA_EMBEDDING_MODEL)")
	cmd.Flags().Float64Var(&cfg.ContentMinCosine, "content-min-cosine", 0, "also treat a passage as relevant when its embedding cosine with the question reaches this (with --embedding-model)")
}
