package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/training"
)

// LogSink takes interaction logs without blocking; the batch writer behind
// it stores them. training.BatchWriter implements it.
type LogSink interface {
	// Add queues a log and reports false when it had to be dropped.
	Add(l *repository.Log) bool
}

// LogToDataset turns a logged text into an example or a test sentence.
// Intent "" keeps the logged intent; Entities nil adds none.
type LogToDataset struct {
	Intent   string      `json:"intent,omitempty"`
	Entities *[]nlu.Span `json:"entities,omitempty"`
}

// logParse records one classification in the metrics and the interaction
// logs. It never blocks the request.
func (s *Server) logParse(r *http.Request, route, text string, res training.Parsed) {
	s.metrics.parsed(res)
	if s.cfg.Logs == nil {
		return
	}
	p := res.Prediction
	l := &repository.Log{RepositoryUUID: res.RepositoryUUID, VersionID: res.VersionID, Language: res.Language, Text: text,
		Intent: topName(p), Confidence: topConfidence(p), Ranking: p.Ranking, Entities: p.Entities, OutOfScope: p.OutOfScope,
		ModelID: res.ModelID, TokenID: principalOf(r).token.ID, UserAgent: clip(r.UserAgent(), 200), Route: route,
		DurationUS: res.Duration.Microseconds(), CreatedAt: time.Now().UTC()}
	s.cfg.Logs.Add(l)
}

func (s *Server) logRoutes() {
	const base = "/v1/repositories/{uuid}/logs"
	s.handle(route{Method: http.MethodGet, Pattern: base,
		Summary: "Interaction logs, newest first (query: language, intent, min_confidence, max_confidence, from, to (RFC 3339), q, out_of_scope, version, offset, limit)",
		Tag:     "logs", Auth: authAny, Response: Page[repository.Log]{}},
		getHandler(http.StatusOK, func(r *http.Request) (Page[repository.Log], error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return Page[repository.Log]{}, err
			}
			f, err := logFilter(r)
			if err != nil {
				return Page[repository.Log]{}, err
			}
			items, total, err := s.repos.ListLogs(r.Context(), uuid, f)
			return Page[repository.Log]{Items: nonNil(items), Total: total, Offset: f.Offset, Limit: f.Limit}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/clusters",
		Summary: "Topics of the logged texts the bot did not know, to turn into intents (query: language, from, to (RFC 3339; default the last 30 days), max_confidence, out_of_scope (default: out of scope or below the threshold), min_size (default 2))",
		Tag:     "logs", Auth: authAny, Response: repository.LogClusters{}},
		getHandler(http.StatusOK, func(r *http.Request) (repository.LogClusters, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return repository.LogClusters{}, err
			}
			f, err := logFilter(r)
			if err != nil {
				return repository.LogClusters{}, err
			}
			minSize, err := queryInt(r, "min_size", 0)
			if err != nil {
				return repository.LogClusters{}, err
			}
			return s.repos.ClusterLogs(r.Context(), uuid, repository.LogClusterFilter{Language: f.Language, From: f.From, To: f.To,
				MaxConfidence: f.MaxConfidence, OutOfScope: f.OutOfScope, MinSize: int(minSize)})
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/{id}", Summary: "One interaction log",
		Tag: "logs", Auth: authAny, Response: repository.Log{}},
		getHandler(http.StatusOK, func(r *http.Request) (repository.Log, error) {
			uuid, id, err := scopedID(r, repository.RoleUser)
			if err != nil {
				return repository.Log{}, err
			}
			return s.repos.FindLog(r.Context(), uuid, id)
		}))
	s.handle(route{Method: http.MethodPost, Pattern: base + "/{id}/example",
		Summary: "Add a logged text to the examples of its version and language, with a corrected intent",
		Tag:     "logs", Auth: authAny, Request: LogToDataset{}, Response: repository.Example{}, Status: http.StatusCreated},
		jsonHandler(http.StatusCreated, func(r *http.Request, in *LogToDataset) (repository.Example, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return repository.Example{}, err
			}
			return s.repos.LogToExample(r.Context(), uuid, id, in.Intent, in.Entities)
		}))
	s.handle(route{Method: http.MethodPost, Pattern: base + "/{id}/test-sentence",
		Summary: "Add a logged text to the test sentences of its version and language",
		Tag:     "logs", Auth: authAny, Request: LogToDataset{}, Response: repository.TestSentence{}, Status: http.StatusCreated},
		jsonHandler(http.StatusCreated, func(r *http.Request, in *LogToDataset) (repository.TestSentence, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return repository.TestSentence{}, err
			}
			return s.repos.LogToTestSentence(r.Context(), uuid, id, in.Intent, in.Entities)
		}))
}

func logFilter(r *http.Request) (repository.LogFilter, error) {
	off, lim, err := paging(r)
	if err != nil {
		return repository.LogFilter{}, err
	}
	v, lang, err := versionAndLanguage(r)
	if err != nil {
		return repository.LogFilter{}, err
	}
	q := r.URL.Query()
	f := repository.LogFilter{VersionID: v, Language: lang, Intent: q.Get("intent"), Query: q.Get("q"), Offset: off, Limit: lim}
	for name, dst := range map[string]**float64{"min_confidence": &f.MinConfidence, "max_confidence": &f.MaxConfidence} {
		if s := q.Get(name); s != "" {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return f, sabia.Errorf(sabia.EINVALID, "query parameter %q must be a number, got %q", name, s)
			}
			*dst = &x
		}
	}
	for name, dst := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				if d, derr := time.Parse("2006-01-02", s); derr == nil {
					t = d
				} else {
					return f, sabia.Errorf(sabia.EINVALID, "query parameter %q must be a date (2026-11-21) or an RFC 3339 time, got %q", name, s)
				}
			}
			*dst = &t
		}
	}
	if s := q.Get("out_of_scope"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return f, sabia.Errorf(sabia.EINVALID, "query parameter \"out_of_scope\" must be true or false, got %q", s)
		}
		f.OutOfScope = &b
	}
	return f, nil
}
