package sqlrow

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// Repository reads a row of (uuid, name, description, language, languages,
// threshold, builtin_intents, log_retention_days, pattern_entities,
// created_at, updated_at), languages and pattern_entities as JSON.
func (r Reader) Repository(row Row) (repository.Repository, error) {
	var rp repository.Repository
	var langs, pats []byte
	err := row.Scan(&rp.UUID, &rp.Name, &rp.Description, &rp.Language, &langs, &rp.Threshold, &rp.BuiltinIntents,
		&rp.LogRetentionDays, &pats, r.Time(&rp.CreatedAt), r.Time(&rp.UpdatedAt))
	if err != nil {
		return rp, err
	}
	if err := json.Unmarshal(langs, &rp.Languages); err != nil {
		return rp, fmt.Errorf("repository %s languages: %w", rp.UUID, err)
	}
	if err := json.Unmarshal(pats, &rp.PatternEntities); err != nil {
		return rp, fmt.Errorf("repository %s pattern entities: %w", rp.UUID, err)
	}
	if rp.PatternEntities == nil {
		rp.PatternEntities = []nlu.PatternEntity{}
	}
	return rp, nil
}

// Version reads a row of (id, repository_uuid, name, is_default,
// created_at).
func (r Reader) Version(row Row) (repository.Version, error) {
	var v repository.Version
	err := row.Scan(&v.ID, &v.RepositoryUUID, &v.Name, &v.IsDefault, r.Time(&v.CreatedAt))
	return v, err
}

// Sentence reads a row of (id, repository_uuid, version_id, text, language,
// intent, translated_from, created_at, updated_at) of examples or test
// sentences (translated_from 0 for none), with no entities (an empty,
// non-nil slice).
func (r Reader) Sentence(row Row) (repository.Example, error) {
	var e repository.Example
	err := row.Scan(&e.ID, &e.RepositoryUUID, &e.VersionID, &e.Text, &e.Language, &e.Intent, &e.TranslatedFrom,
		r.Time(&e.CreatedAt), r.Time(&e.UpdatedAt))
	e.Entities = []nlu.Span{}
	return e, err
}

// Job reads a row of (id, kind, repository_uuid, version_id, language,
// status, progress, error, created_at, started_at, finished_at, model_id),
// model_id 0 for none.
func (r Reader) Job(row Row) (repository.Job, error) {
	var j repository.Job
	err := row.Scan(&j.ID, &j.Kind, &j.RepositoryUUID, &j.VersionID, &j.Language, &j.Status, &j.Progress, &j.Error,
		r.Time(&j.CreatedAt), r.NullTime(&j.StartedAt), r.NullTime(&j.FinishedAt), &j.ModelID)
	return j, err
}

// Token reads a row of (id, repository_uuid, name, role, created_at,
// last_used_at, revoked_at).
func (r Reader) Token(row Row) (repository.Token, error) {
	var t repository.Token
	err := row.Scan(&t.ID, &t.RepositoryUUID, &t.Name, &t.Role, r.Time(&t.CreatedAt),
		r.NullTime(&t.LastUsedAt), r.NullTime(&t.RevokedAt))
	return t, err
}

// Model reads a row of (id, repository_uuid, version_id, language,
// revision, trained_at, size), then data when withData.
func (r Reader) Model(row Row, withData bool) (repository.Model, error) {
	var m repository.Model
	dest := []any{&m.ID, &m.RepositoryUUID, &m.VersionID, &m.Language, &m.Revision, r.Time(&m.TrainedAt), &m.Size}
	if withData {
		dest = append(dest, &m.Data)
	}
	err := row.Scan(dest...)
	return m, err
}

// Evaluation reads a row of (id, repository_uuid, version_id, language,
// mode, folds, job_id, model_id, n, accuracy, macro_precision, macro_recall,
// macro_f1, weighted_precision, weighted_recall, weighted_f1, entity_f1,
// has_entities, created_at), then into extra the columns that follow.
func (r Reader) Evaluation(row Row, extra ...any) (repository.Evaluation, error) {
	var e repository.Evaluation
	m := &e.Summary
	dest := []any{&e.ID, &e.RepositoryUUID, &e.VersionID, &e.Language, &e.Mode, &e.Folds, &e.JobID, &e.ModelID,
		&m.N, &m.Accuracy, &m.MacroPrecision, &m.MacroRecall, &m.MacroF1, &m.WeightedPrecision, &m.WeightedRecall,
		&m.WeightedF1, &m.EntityF1, &m.HasEntities, r.Time(&e.CreatedAt)}
	err := row.Scan(append(dest, extra...)...)
	return e, err
}

// EvaluationResult reads a row of (evaluation_id, idx, text, expected,
// predicted, confidence, success, entities), entities opaque JSON or NULL.
func (r Reader) EvaluationResult(row Row) (repository.EvaluationResult, error) {
	var res repository.EvaluationResult
	var ents sql.NullString
	if err := row.Scan(&res.EvaluationID, &res.Index, &res.Text, &res.Expected, &res.Predicted, &res.Confidence,
		&res.Success, &ents); err != nil {
		return res, err
	}
	if ents.Valid {
		res.Entities = json.RawMessage(ents.String)
	}
	return res, nil
}

// Log reads a row of (id, repository_uuid, version_id, language, text,
// intent, confidence, ranking, entities, out_of_scope, model_id, token_id,
// user_agent, route, duration_us, created_at), ranking and entities as JSON
// arrays.
func (r Reader) Log(row Row) (repository.Log, error) {
	var l repository.Log
	var ranking, entities []byte
	err := row.Scan(&l.ID, &l.RepositoryUUID, &l.VersionID, &l.Language, &l.Text, &l.Intent, &l.Confidence,
		&ranking, &entities, &l.OutOfScope, &l.ModelID, &l.TokenID, &l.UserAgent, &l.Route, &l.DurationUS,
		r.Time(&l.CreatedAt))
	if err != nil {
		return l, err
	}
	l.Ranking, l.Entities = []nlu.Scored{}, []nlu.Entity{}
	if err := json.Unmarshal(ranking, &l.Ranking); err != nil {
		return l, fmt.Errorf("log %d ranking: %w", l.ID, err)
	}
	if err := json.Unmarshal(entities, &l.Entities); err != nil {
		return l, fmt.Errorf("log %d entities: %w", l.ID, err)
	}
	return l, nil
}

// Document reads a row of (id, repository_uuid, title, source, language,
// chars, created_at, number of chunks), then the text when withText.
func (r Reader) Document(row Row, withText bool) (content.Document, error) {
	var d content.Document
	dest := []any{&d.ID, &d.RepositoryUUID, &d.Title, &d.Source, &d.Language, &d.Chars, r.Time(&d.CreatedAt), &d.Chunks}
	if withText {
		dest = append(dest, &d.Text)
	}
	err := row.Scan(dest...)
	return d, err
}
