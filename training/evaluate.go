package training

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// Cross-validation bounds: at least 2 folds, at most 10 (each fold is a
// full training).
const (
	DefaultFolds = 5
	MaxFolds     = 10
)

// EvaluateRequest asks for an evaluation of a version and language.
type EvaluateRequest struct {
	RepositoryUUID string
	VersionID      int64
	Language       string
	// Mode is repository.EvaluationTestSet or EvaluationCrossValidation.
	Mode string
	// Folds for cross-validation; 0 means DefaultFolds.
	Folds int
}

// evalPayload is the payload of evaluate and cross-validate jobs.
type evalPayload struct {
	Folds int `json:"folds"`
}

// EvaluationReport is the JSON report stored with an evaluation: everything
// but the per-sentence log, which is stored as rows for paging.
type EvaluationReport struct {
	PerIntent map[string]nlu.ClassMetrics `json:"per_intent"`
	PerEntity map[string]nlu.ClassMetrics `json:"per_entity"`
	Confusion map[string]map[string]int   `json:"confusion"`
	// Confidences of the top intent, split by right and wrong predictions,
	// for the confidence histogram.
	CorrectConfidences []float64 `json:"correct_confidences"`
	WrongConfidences   []float64 `json:"wrong_confidences"`
	EntityPrecision    float64   `json:"entity_precision"`
	EntityRecall       float64   `json:"entity_recall"`
	DurationSeconds    float64   `json:"duration_seconds"`
}

// EntityOutcome is the entity part of one evaluated sentence.
type EntityOutcome struct {
	TruePositives  []nlu.Entity `json:"true_positives"`
	FalsePositives []nlu.Entity `json:"false_positives"`
	FalseNegatives []nlu.Span   `json:"false_negatives"`
}

// Evaluate starts an evaluation job. Test-set mode scores the current model
// on the test sentences; cross-validation trains folds of the examples and
// never touches the live model. Returns EINVALID (mode, folds, language),
// EUNPROCESSABLE (no test sentences, too few examples), EUNAVAILABLE (no
// trained model for test-set mode), ENOTFOUND, or ECONFLICT when the same
// evaluation is already queued.
func (e *Engine) Evaluate(ctx context.Context, req EvaluateRequest) (repository.Job, error) {
	kind := ""
	switch req.Mode {
	case repository.EvaluationTestSet:
		kind = repository.JobEvaluate
	case repository.EvaluationCrossValidation, "":
		kind = repository.JobCrossValidate
		req.Mode = repository.EvaluationCrossValidation
	default:
		return repository.Job{}, sabia.Errorf(sabia.EINVALID, "unknown mode %q: use test_set or cross_validation", req.Mode)
	}
	if req.Folds == 0 {
		req.Folds = DefaultFolds
	}
	if req.Folds < 2 || req.Folds > MaxFolds {
		return repository.Job{}, sabia.Errorf(sabia.EINVALID, "folds must be between 2 and %d, got %d", MaxFolds, req.Folds)
	}
	ver, err := e.repos.FindVersion(ctx, req.RepositoryUUID, req.VersionID)
	if err != nil {
		return repository.Job{}, err
	}
	if kind == repository.JobEvaluate {
		tests, err := e.repos.TestSet(ctx, req.RepositoryUUID, ver.ID, req.Language)
		if err != nil {
			return repository.Job{}, err
		}
		if len(tests) == 0 {
			return repository.Job{}, sabia.Errorf(sabia.EUNPROCESSABLE, "there are no test sentences in this language: add some under /test-sentences first")
		}
	} else {
		examples, _, err := e.repos.TrainingSet(ctx, req.RepositoryUUID, ver.ID, req.Language)
		if err != nil {
			return repository.Job{}, err
		}
		if why := trainable(examples); why != "" {
			return repository.Job{}, sabia.Errorf(sabia.EUNPROCESSABLE, "cannot cross-validate: %s", why)
		}
		if len(examples) < req.Folds {
			return repository.Job{}, sabia.Errorf(sabia.EUNPROCESSABLE, "cannot cross-validate %d examples in %d folds", len(examples), req.Folds)
		}
	}
	j, err := e.repos.CreateJob(ctx, req.RepositoryUUID, repository.JobInput{Kind: kind, VersionID: ver.ID, Language: req.Language})
	if err != nil {
		return repository.Job{}, err
	}
	payload, _ := json.Marshal(evalPayload{Folds: req.Folds})
	if err := e.queue.Enqueue(ctx, Job{ID: j.ID, Kind: kind, Payload: payload}); err != nil {
		return repository.Job{}, fmt.Errorf("enqueueing job %s: %w", j.ID, err)
	}
	return j, nil
}

// runEvaluate is the queue handler of evaluate and cross-validate jobs.
func (e *Engine) runEvaluate(ctx context.Context, qj Job, progress func(float64)) error {
	j, err := e.repos.FindJob(ctx, qj.ID)
	if err != nil {
		if sabia.ErrorCode(err) == sabia.ENOTFOUND {
			return Permanent(fmt.Errorf("job %s no longer exists", qj.ID))
		}
		return err
	}
	if !j.Active() {
		return nil
	}
	var p evalPayload
	if len(qj.Payload) > 0 {
		if err := json.Unmarshal(qj.Payload, &p); err != nil {
			return Permanent(fmt.Errorf("bad payload: %w", err))
		}
	}
	start := time.Now()
	now := start.UTC()
	var (
		expected []nlu.Example
		preds    []nlu.Prediction
		modelID  int64
		mode     string
	)
	switch j.Kind {
	case repository.JobEvaluate:
		mode = repository.EvaluationTestSet
		expected, err = e.repos.TestSet(ctx, j.RepositoryUUID, j.VersionID, j.Language)
		if err != nil {
			return err
		}
		expected = forNLU(expected)
		if len(expected) == 0 {
			return Permanent(errors.New("there are no test sentences in this language"))
		}
		l, err := e.modelOf(ctx, modelKey{j.RepositoryUUID, j.VersionID, j.Language})
		if err != nil {
			if sabia.ErrorCode(err) == sabia.EUNAVAILABLE {
				return Permanent(err)
			}
			return err
		}
		s, err := e.settingsOf(ctx, j.RepositoryUUID)
		if err != nil {
			return err
		}
		modelID = l.id
		preds = make([]nlu.Prediction, len(expected))
		for i, ex := range expected {
			preds[i] = l.model.Predict(ex.Text, nlu.PredictOptions{Threshold: thresholdOf(s.repo), Now: now})
			if i%64 == 0 {
				progress(float64(i) / float64(len(expected)))
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
	case repository.JobCrossValidate:
		mode = repository.EvaluationCrossValidation
		expected, _, err = e.repos.TrainingSet(ctx, j.RepositoryUUID, j.VersionID, j.Language)
		if err != nil {
			return err
		}
		if why := trainable(expected); why != "" {
			return Permanent(errors.New(why))
		}
		expected = forNLU(expected)
		if p.Folds == 0 {
			p.Folds = DefaultFolds
		}
		preds, err = nlu.CrossValidate(ctx, j.Language, expected, e.trainCfg, p.Folds, now, func(v float64) { progress(0.95 * v) })
		if err != nil {
			return fmt.Errorf("cross-validating: %w", err)
		}
	default:
		return Permanent(fmt.Errorf("unknown evaluation kind %q", j.Kind))
	}
	rep := nlu.Score(expected, preds)
	report := EvaluationReport{PerIntent: rep.PerIntent, PerEntity: rep.PerEntity, Confusion: rep.Confusion,
		CorrectConfidences: []float64{}, WrongConfidences: []float64{}, EntityPrecision: rep.EntityPrecision, EntityRecall: rep.EntityRecall}
	results := make([]repository.EvaluationResult, len(rep.Sentences))
	for i, s := range rep.Sentences {
		if s.Success {
			report.CorrectConfidences = append(report.CorrectConfidences, s.Confidence)
		} else {
			report.WrongConfidences = append(report.WrongConfidences, s.Confidence)
		}
		ents, _ := json.Marshal(EntityOutcome{TruePositives: nonNilEntities(s.EntityTrue), FalsePositives: nonNilEntities(s.EntityFalsePos), FalseNegatives: nonNilSpans(s.EntityMissed)})
		results[i] = repository.EvaluationResult{Index: i, Text: s.Text, Expected: s.Expected, Predicted: s.Predicted,
			Confidence: s.Confidence, Success: s.Success, Entities: ents}
	}
	report.DurationSeconds = time.Since(start).Seconds()
	blob, err := json.Marshal(report)
	if err != nil {
		return Permanent(err)
	}
	wp, wr := weighted(rep)
	ev := repository.Evaluation{RepositoryUUID: j.RepositoryUUID, VersionID: j.VersionID, Language: j.Language, Mode: mode,
		Folds: p.Folds, JobID: j.ID, ModelID: modelID, Summary: repository.EvaluationSummary{N: rep.N, Accuracy: rep.Accuracy,
			MacroPrecision: rep.MacroPrecision, MacroRecall: rep.MacroRecall, MacroF1: rep.MacroF1, WeightedPrecision: wp,
			WeightedRecall: wr, WeightedF1: rep.WeightedF1, EntityF1: rep.EntityF1, HasEntities: rep.HasEntities}}
	if mode == repository.EvaluationTestSet {
		ev.Folds = 0
	}
	if err := e.repos.SaveEvaluation(ctx, &ev, blob, results); err != nil {
		return fmt.Errorf("saving evaluation: %w", err)
	}
	done := repository.JobSucceeded
	if _, err := e.repos.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: &done}); err != nil {
		return fmt.Errorf("recording success: %w", err)
	}
	e.log.Info("evaluated", "job_id", j.ID, "mode", mode, "repository", j.RepositoryUUID, "language", j.Language,
		"n", rep.N, "accuracy", rep.Accuracy, "evaluation_id", ev.ID, "seconds", time.Since(start).Seconds())
	return nil
}

// weighted returns support-weighted precision and recall over intents.
func weighted(r nlu.Report) (float64, float64) {
	var p, rec, n float64
	for _, m := range r.PerIntent {
		p += m.Precision * float64(m.Support)
		rec += m.Recall * float64(m.Support)
		n += float64(m.Support)
	}
	if n == 0 {
		return 0, 0
	}
	return p / n, rec / n
}

func nonNilEntities(e []nlu.Entity) []nlu.Entity {
	if e == nil {
		return []nlu.Entity{}
	}
	return e
}

func nonNilSpans(s []nlu.Span) []nlu.Span {
	if s == nil {
		return []nlu.Span{}
	}
	return s
}

// LanguageOf returns the canonical code of lang among the repository's
// languages, or its main language for "". Returns EINVALID.
func LanguageOf(repo repository.Repository, lang string) (string, error) {
	if lang == "" {
		return repo.Language, nil
	}
	l, ok := nlu.ParseLanguage(lang)
	if !ok {
		return "", sabia.Errorf(sabia.EINVALID, "unknown language %q", lang)
	}
	if !repo.HasLanguage(l) {
		return "", sabia.Errorf(sabia.EINVALID, "language %q is not one of the repository's languages (%s)", l, strings.Join(repo.Languages, ", "))
	}
	return l, nil
}
