package repository

import (
	"slices"
	"time"

	"github.com/weni-ai/sabia/nlu"
)

// Limits and defaults of repositories.
const (
	// DefaultThreshold is the out-of-scope threshold of a new repository: a
	// prediction whose top confidence is below it answers "no intent". The
	// classifier gives text it recognises confidences near 0.9 and spreads
	// text it was never taught thinly (0.25–0.45 on a small store bot), so
	// 0.5 separates the two, as flows' has_top_intent(…, 0.5) does;
	// repositories tune it between 0 (never out of scope) and 1.
	DefaultThreshold = 0.5

	// MaxNameRunes bounds a repository's name and a token's name, in runes.
	MaxNameRunes = 100

	// MaxDescriptionRunes bounds a repository's description, in runes.
	MaxDescriptionRunes = 2000

	// MaxPatternEntities bounds the pattern entities of a repository; each
	// is matched on every classification.
	MaxPatternEntities = 100

	// DefaultVersionName is the name of the version every repository starts
	// with, as in Bothub.
	DefaultVersionName = "master"

	// DefaultLogRetentionDays is how long a new repository keeps its
	// interaction logs, in days: a month covers the "what did users ask
	// last week" reviews that turn logs into examples, without keeping
	// users' texts longer than that work needs.
	DefaultLogRetentionDays = 30

	// MaxLogRetentionDays bounds LogRetentionDays, in days (ten years); 0
	// (keep forever) is the way to keep more.
	MaxLogRetentionDays = 3650
)

// Repository is one NLU "inteligência": a set of intents and entities taught
// by examples in one or more languages.
type Repository struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Language is the main language, canonical ("pt_br"). It is always one
	// of Languages.
	Language string `json:"language"`
	// Languages are the languages examples may be written in, canonical,
	// main language first and the others sorted.
	Languages []string `json:"languages"`
	// Threshold is the out-of-scope threshold in [0, 1]; DefaultThreshold
	// unless set.
	Threshold float64 `json:"threshold"`
	// BuiltinIntents turns on the built-in human_handoff and opt_out intents,
	// which answer even when no example teaches them.
	BuiltinIntents bool `json:"builtin_intents"`
	// LogRetentionDays is how many days interaction logs are kept, in
	// [0, MaxLogRetentionDays]; 0 keeps them forever.
	LogRetentionDays int `json:"log_retention_days"`
	// PatternEntities are entities the user declares with a regex or a list
	// of values with synonyms; they apply at classification, so changing
	// them needs no training. Never nil in stored repositories.
	PatternEntities []nlu.PatternEntity `json:"pattern_entities"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`
}

// HasLanguage reports whether lang (canonical) is one of the repository's
// languages.
func (r Repository) HasLanguage(lang string) bool {
	return slices.Contains(r.Languages, lang)
}

// RepositoryInput is what CreateRepository needs. Language is required;
// Languages may repeat it or omit it. A nil Threshold means DefaultThreshold,
// a nil LogRetentionDays DefaultLogRetentionDays.
type RepositoryInput struct {
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	Language         string   `json:"language"`
	Languages        []string `json:"languages"`
	Threshold        *float64 `json:"threshold"`
	BuiltinIntents   bool     `json:"builtin_intents"`
	LogRetentionDays *int     `json:"log_retention_days"`
	// PatternEntities are checked with nlu.CompilePatterns; at most
	// MaxPatternEntities.
	PatternEntities []nlu.PatternEntity `json:"pattern_entities"`
}

// RepositoryUpdate changes the non-nil fields of a repository. Languages, when
// set, replaces the list (the main language is always kept).
type RepositoryUpdate struct {
	Name             *string   `json:"name"`
	Description      *string   `json:"description"`
	Language         *string   `json:"language"`
	Languages        *[]string `json:"languages"`
	Threshold        *float64  `json:"threshold"`
	BuiltinIntents   *bool     `json:"builtin_intents"`
	LogRetentionDays *int      `json:"log_retention_days"`
	// PatternEntities, when set, replaces the list.
	PatternEntities *[]nlu.PatternEntity `json:"pattern_entities"`
}

// RepositoryFilter selects repositories. Zero fields do not filter. Query
// matches names containing it, ignoring case and accents. Limit 0 means no
// limit in the Store; the Service applies DefaultPageSize.
type RepositoryFilter struct {
	UUIDs  []string `json:"uuids"`
	Query  string   `json:"query"`
	Offset int      `json:"offset"`
	Limit  int      `json:"limit"`
}

// Version is a named snapshot line of a repository's examples. Every
// repository has exactly one default version, created with it and named
// DefaultVersionName.
type Version struct {
	ID             int64     `json:"id"`
	RepositoryUUID string    `json:"repository_uuid"`
	Name           string    `json:"name"`
	IsDefault      bool      `json:"is_default"`
	CreatedAt      time.Time `json:"created_at"`
}
