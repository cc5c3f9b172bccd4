package repository

import (
	"encoding/json"
	"time"
)

// Evaluation modes.
const (
	// EvaluationTestSet scores a trained model on the version's test
	// sentences.
	EvaluationTestSet = "test_set"
	// EvaluationCrossValidation trains and scores Folds models on folds of
	// the version's examples; no saved model is involved.
	EvaluationCrossValidation = "cross_validation"
)

// Statuses of evaluation results, for EvaluationResultFilter.
const (
	ResultSuccess = "success"
	ResultError   = "error"
)

// Evaluation is the outcome of scoring a version's models in one language.
// Its Summary is small enough to list and compare; the full report
// (per-intent and per-entity metrics, confusion matrix) is an opaque JSON
// document that FindEvaluation returns apart, and the per-sentence log is
// read page by page with ListEvaluationResults.
type Evaluation struct {
	ID             int64  `json:"id"`
	RepositoryUUID string `json:"repository_uuid"`
	VersionID      int64  `json:"version_id"`
	Language       string `json:"language"`
	// Mode is EvaluationTestSet or EvaluationCrossValidation.
	Mode string `json:"mode"`
	// Folds is the number of folds of a cross-validation (at least 2), 0
	// for a test-set evaluation.
	Folds int `json:"folds"`
	// JobID is the job that ran the evaluation, "" when none did.
	JobID string `json:"job_id"`
	// ModelID is the model a test-set evaluation scored; 0 for a
	// cross-validation.
	ModelID   int64             `json:"model_id"`
	Summary   EvaluationSummary `json:"summary"`
	CreatedAt time.Time         `json:"created_at"`
}

// EvaluationSummary holds the headline metrics of an evaluation, each in
// [0, 1]. Macro averages weigh every intent alike; weighted averages weigh
// them by their number of sentences. EntityF1 is meaningful only when
// HasEntities (some sentence was annotated with entities).
type EvaluationSummary struct {
	// N is the number of sentences scored.
	N                 int     `json:"n"`
	Accuracy          float64 `json:"accuracy"`
	MacroPrecision    float64 `json:"macro_precision"`
	MacroRecall       float64 `json:"macro_recall"`
	MacroF1           float64 `json:"macro_f1"`
	WeightedPrecision float64 `json:"weighted_precision"`
	WeightedRecall    float64 `json:"weighted_recall"`
	WeightedF1        float64 `json:"weighted_f1"`
	EntityF1          float64 `json:"entity_f1"`
	HasEntities       bool    `json:"has_entities"`
}

// EvaluationResult is what an evaluation made of one sentence. Index is the
// sentence's position in the evaluated set, unique within the evaluation.
// Expected or Predicted "" means out of scope. Entities is opaque JSON written
// by the evaluator (expected and predicted entities), nil when it wrote none.
type EvaluationResult struct {
	EvaluationID int64           `json:"evaluation_id"`
	Index        int             `json:"index"`
	Text         string          `json:"text"`
	Expected     string          `json:"expected"`
	Predicted    string          `json:"predicted"`
	Confidence   float64         `json:"confidence"`
	Success      bool            `json:"success"`
	Entities     json.RawMessage `json:"entities"`
}

// EvaluationFilter selects evaluations, newest first; zero fields do not
// filter (VersionID 0 means every version). Limit 0 means no limit in the
// Store; the Service applies DefaultPageSize.
type EvaluationFilter struct {
	RepositoryUUID string `json:"repository_uuid"`
	VersionID      int64  `json:"version_id"`
	Language       string `json:"language"`
	Mode           string `json:"mode"`
	Offset         int    `json:"offset"`
	Limit          int    `json:"limit"`
}

// EvaluationResultFilter selects the results of one evaluation by Index.
// Status is ResultSuccess, ResultError or "" (both). Intent keeps results
// that expected or predicted it. Limit 0 means no limit in the Store; the
// Service applies DefaultPageSize.
type EvaluationResultFilter struct {
	EvaluationID int64  `json:"evaluation_id"`
	Status       string `json:"status"`
	Intent       string `json:"intent"`
	Offset       int    `json:"offset"`
	Limit        int    `json:"limit"`
}
