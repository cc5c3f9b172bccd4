package repository

import (
	"time"

	"github.com/weni-ai/sabia/nlu"
)

// Routes a classification came through, for Log.Route.
const (
	// RouteParse is Bothub's /parse.
	RouteParse = "parse"
	// RouteV2Parse is Bothub's /v2/repository/nlp/authorization/parse.
	RouteV2Parse = "v2_parse"
	// RouteNative is Sabiá's own API.
	RouteNative = "native"
)

// Log records one classification: the text a user sent, what the model
// answered and how. Every classification is logged, so that a repository's
// maintainers can see what users really ask and turn it into examples or
// test sentences.
type Log struct {
	ID             int64  `json:"id"`
	RepositoryUUID string `json:"repository_uuid"`
	VersionID      int64  `json:"version_id"`
	Language       string `json:"language"`
	Text           string `json:"text"`
	// Intent is the answer, "" when out of scope.
	Intent     string       `json:"intent"`
	Confidence float64      `json:"confidence"`
	Ranking    []nlu.Scored `json:"ranking"`
	Entities   []nlu.Entity `json:"entities"`
	OutOfScope bool         `json:"out_of_scope"`
	// ModelID is the model that answered, 0 if none did (built-in intents
	// only).
	ModelID int64 `json:"model_id"`
	// TokenID is the token the caller authenticated with, "" if none.
	TokenID   string `json:"token_id"`
	UserAgent string `json:"user_agent"`
	// Route is RouteParse, RouteV2Parse or RouteNative.
	Route string `json:"route"`
	// DurationUS is how long the classification took, in microseconds.
	DurationUS int64     `json:"duration_us"`
	CreatedAt  time.Time `json:"created_at"`
}

// LogFilter selects logs, newest first; zero fields do not filter
// (VersionID 0 means every version). Confidence bounds are inclusive; From is
// inclusive and To exclusive. Query keeps logs whose text contains it,
// ignoring case and accents, as in ExampleFilter. Limit 0 means no limit in
// the Store; the Service applies DefaultPageSize.
type LogFilter struct {
	RepositoryUUID string     `json:"repository_uuid"`
	VersionID      int64      `json:"version_id"`
	Language       string     `json:"language"`
	Intent         string     `json:"intent"`
	MinConfidence  *float64   `json:"min_confidence"`
	MaxConfidence  *float64   `json:"max_confidence"`
	From           *time.Time `json:"from"`
	To             *time.Time `json:"to"`
	Query          string     `json:"query"`
	OutOfScope     *bool      `json:"out_of_scope"`
	Offset         int        `json:"offset"`
	Limit          int        `json:"limit"`
}
