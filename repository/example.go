package repository

import (
	"time"

	"github.com/weni-ai/sabia/nlu"
)

// Limits of examples and listings.
const (
	// MaxTextRunes bounds an example's text, in runes after trimming: a
	// training sentence is what a user types in a chat, and longer texts are
	// documents that belong in a content base, not in intent examples.
	MaxTextRunes = 1000

	// MaxBatch bounds the examples of one AddExamples call, so that one
	// request holds the write lock for a bounded time (about 50 ms on
	// SQLite); importers send larger files in chunks.
	MaxBatch = 1000

	// MaxLabelRunes bounds intent, entity and group names, in runes.
	MaxLabelRunes = 64

	// DefaultPageSize is the Limit the Service uses when a filter has none.
	DefaultPageSize = 100

	// MaxPageSize is the largest Limit the Service passes to the Store;
	// larger limits are lowered to it.
	MaxPageSize = 1000
)

// OutOfScopeIntent is the reserved intent of examples that the bot must NOT
// answer ("qual a capital da Austrália?" in a store's bot). They are stored
// like any other, but the classifier learns them as "none of these": they
// lower the confidence of similar texts instead of being predicted, and make
// out_of_scope true. Test sentences with it measure out-of-scope recall.
const OutOfScopeIntent = "out_of_scope"

// Example is one training sentence of a version, in one language, labelled
// with an intent and with entity spans (rune offsets into Text, sorted by
// Start, never overlapping). Text is unique within its version and language.
//
// TranslatedFrom is 0 for an original; otherwise the example is a
// translation of the example TranslatedFrom: an ordinary example of another
// language of the same version (it trains, lists and exports like any
// other) whose intent is always its original's and whose entity labels
// (entity and group, counted) match its original's when written. An
// example has at most one translation per language, and a translation is
// never translated itself. Test sentences are never translations (0).
type Example struct {
	ID             int64      `json:"id"`
	RepositoryUUID string     `json:"repository_uuid"`
	VersionID      int64      `json:"version_id"`
	Text           string     `json:"text"`
	Language       string     `json:"language"`
	Intent         string     `json:"intent"`
	Entities       []nlu.Span `json:"entities"`
	TranslatedFrom int64      `json:"translated_from"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// ExampleInput is one example to add. VersionID 0 means the default version;
// Language "" means the repository's main language. Text is trimmed and the
// spans shifted to match; spans are also shrunk to exclude surrounding
// whitespace ("boleto " → "boleto").
type ExampleInput struct {
	VersionID int64      `json:"version_id"`
	Text      string     `json:"text"`
	Language  string     `json:"language"`
	Intent    string     `json:"intent"`
	Entities  []nlu.Span `json:"entities"`
}

// ExampleUpdate changes the non-nil fields of an example. When Text changes
// and Entities is nil, the old spans are kept and must still fit the new text.
type ExampleUpdate struct {
	Text     *string     `json:"text"`
	Language *string     `json:"language"`
	Intent   *string     `json:"intent"`
	Entities *[]nlu.Span `json:"entities"`
}

// ExampleFilter selects examples; zero fields do not filter. Entity keeps
// examples with at least one span of that entity. Query keeps examples whose
// text contains it, ignoring case and accents ("VIA" matches "2ª via",
// "suscripcion" matches "suscripción"). TranslatedFrom keeps the
// translations of that example. Untranslated keeps the originals (not
// translations) of another language that have no translation into it yet:
// what is left to translate into Untranslated. Test sentences are never
// translations: for them TranslatedFrom matches none and Untranslated is
// ignored. Results are ordered by ID. Limit 0 means no limit in the
// Store; the Service applies DefaultPageSize.
type ExampleFilter struct {
	RepositoryUUID string `json:"repository_uuid"`
	VersionID      int64  `json:"version_id"`
	Language       string `json:"language"`
	Intent         string `json:"intent"`
	Entity         string `json:"entity"`
	Query          string `json:"query"`
	TranslatedFrom int64  `json:"translated_from"`
	Untranslated   string `json:"untranslated"`
	Offset         int    `json:"offset"`
	Limit          int    `json:"limit"`
}

// IntentSummary is an intent of a version, derived from its examples.
type IntentSummary struct {
	Name         string `json:"name"`
	ExampleCount int    `json:"example_count"`
}

// EntitySummary is an entity (with one of its groups, "" for none) of a
// version, derived from the spans of its examples. An entity annotated with
// two groups appears twice.
type EntitySummary struct {
	Entity       string `json:"entity"`
	Group        string `json:"group"`
	ExampleCount int    `json:"example_count"`
}
