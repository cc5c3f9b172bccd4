package repository

import (
	"time"

	"github.com/weni-ai/sabia/nlu"
)

// TestSentence is a labelled sentence held out from training: a version's
// models are evaluated on the test sentences of their language. It has the
// fields and rules of an Example; Text is unique among the test sentences of
// its version and language and may also be the text of an example.
type TestSentence struct {
	ID             int64      `json:"id"`
	RepositoryUUID string     `json:"repository_uuid"`
	VersionID      int64      `json:"version_id"`
	Text           string     `json:"text"`
	Language       string     `json:"language"`
	Intent         string     `json:"intent"`
	Entities       []nlu.Span `json:"entities"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// TestSentenceInput is one test sentence to add, with the defaults and
// cleaning of ExampleInput.
type TestSentenceInput struct {
	VersionID int64      `json:"version_id"`
	Text      string     `json:"text"`
	Language  string     `json:"language"`
	Intent    string     `json:"intent"`
	Entities  []nlu.Span `json:"entities"`
}

// TestSentenceUpdate changes the non-nil fields of a test sentence, as
// ExampleUpdate does for an example.
type TestSentenceUpdate struct {
	Text     *string     `json:"text"`
	Language *string     `json:"language"`
	Intent   *string     `json:"intent"`
	Entities *[]nlu.Span `json:"entities"`
}

// TestSentenceFilter selects test sentences with the rules of ExampleFilter.
// Results are ordered by ID. Limit 0 means no limit in the Store; the
// Service applies DefaultPageSize.
type TestSentenceFilter struct {
	RepositoryUUID string `json:"repository_uuid"`
	VersionID      int64  `json:"version_id"`
	Language       string `json:"language"`
	Intent         string `json:"intent"`
	Entity         string `json:"entity"`
	Query          string `json:"query"`
	Offset         int    `json:"offset"`
	Limit          int    `json:"limit"`
}
