package sqlrow

import (
	"strings"
	"time"

	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// Conds collects the conditions of a WHERE clause, written with "?"
// placeholders, and their arguments. The zero value has no condition.
type Conds struct {
	list []string
	args []any
}

// Add appends a condition with the arguments of its placeholders.
func (c *Conds) Add(cond string, args ...any) {
	c.list = append(c.list, cond)
	c.args = append(c.args, args...)
}

// scope adds the conditions every filter has, on the columns
// repository_uuid, version_id and language of the table alias prefix ("" or
// "x."); zero values do not filter.
func (c *Conds) scope(prefix, repoUUID string, versionID int64, lang string) {
	if repoUUID != "" {
		c.Add(prefix+"repository_uuid = ?", repoUUID)
	}
	if versionID != 0 {
		c.Add(prefix+"version_id = ?", versionID)
	}
	if lang != "" {
		c.Add(prefix+"language = ?", lang)
	}
}

// Where returns " WHERE …", the conditions joined with AND and their
// placeholders left as "?", or "" when there is no condition.
func (c *Conds) Where() string {
	if len(c.list) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.list, " AND ")
}

// Args returns the arguments of the placeholders, in order.
func (c *Conds) Args() []any { return c.args }

// LikeContains returns a LIKE pattern (escape character \) matching texts
// that contain s.
func LikeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// FilterLogs adds to c the conditions of f on the columns of logs; at
// encodes the times From and To as the store keeps them. Query matches the
// folded text (nlu.Fold), "%" and "_" literally.
func FilterLogs[T any](c *Conds, f repository.LogFilter, at func(time.Time) T) {
	c.scope("", f.RepositoryUUID, f.VersionID, f.Language)
	if f.Intent != "" {
		c.Add("intent = ?", f.Intent)
	}
	if f.MinConfidence != nil {
		c.Add("confidence >= ?", *f.MinConfidence)
	}
	if f.MaxConfidence != nil {
		c.Add("confidence <= ?", *f.MaxConfidence)
	}
	if f.From != nil {
		c.Add("created_at >= ?", at(*f.From))
	}
	if f.To != nil {
		c.Add("created_at < ?", at(*f.To))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		c.Add(`text_folded LIKE ? ESCAPE '\'`, LikeContains(nlu.Fold(q)))
	}
	if f.OutOfScope != nil {
		c.Add("out_of_scope = ?", *f.OutOfScope)
	}
}

// FilterEvaluations adds to c the conditions of f on the columns of
// evaluations.
func FilterEvaluations(c *Conds, f repository.EvaluationFilter) {
	c.scope("", f.RepositoryUUID, f.VersionID, f.Language)
	if f.Mode != "" {
		c.Add("mode = ?", f.Mode)
	}
}

// FilterJobs adds to c the conditions of f on the columns of jobs, all but
// Statuses, which each store matches its own way.
func FilterJobs(c *Conds, f repository.JobFilter) {
	c.scope("", f.RepositoryUUID, f.VersionID, f.Language)
	if f.Kind != "" {
		c.Add("kind = ?", f.Kind)
	}
}

// FilterSentences adds to c the conditions of f on the sentences x
// (examples or test sentences); the condition on Entity names the spans'
// table {spans} and their sentence column {fk}, the one on Untranslated the
// sentences' table {table}, for the caller to fill in. Query matches the
// folded text (nlu.Fold), "%" and "_" literally. TranslatedFrom and
// Untranslated use the column translated_from (NULL for an original), which
// only examples have: callers clear them for test sentences.
func FilterSentences(c *Conds, f repository.ExampleFilter) {
	c.scope("x.", f.RepositoryUUID, f.VersionID, f.Language)
	if f.Intent != "" {
		c.Add("x.intent = ?", f.Intent)
	}
	if f.Entity != "" {
		c.Add("EXISTS (SELECT 1 FROM {spans} s WHERE s.{fk} = x.id AND s.entity = ?)", f.Entity)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		c.Add(`x.text_folded LIKE ? ESCAPE '\'`, LikeContains(nlu.Fold(q)))
	}
	if f.TranslatedFrom != 0 {
		c.Add("x.translated_from = ?", f.TranslatedFrom)
	}
	if f.Untranslated != "" {
		c.Add(`x.translated_from IS NULL AND x.language <> ?
AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.translated_from = x.id AND t.language = ?)`, f.Untranslated, f.Untranslated)
	}
}

// FilterEvaluationResults adds to c the conditions of f on the columns of
// evaluation_results. success is a boolean in PostgreSQL and 0 or 1 in
// SQLite: both take it, and NOT it, as a condition.
func FilterEvaluationResults(c *Conds, f repository.EvaluationResultFilter) {
	c.Add("evaluation_id = ?", f.EvaluationID)
	switch f.Status {
	case repository.ResultSuccess:
		c.Add("success")
	case repository.ResultError:
		c.Add("NOT success")
	}
	if f.Intent != "" {
		c.Add("(expected = ? OR predicted = ?)", f.Intent, f.Intent)
	}
}
