package repository

import (
	"context"
	"time"

	"github.com/weni-ai/sabia/nlu"
)

// Store persists repositories and everything in them. Implementations run
// every write in one transaction, store times in UTC and pass the conformance
// suite in repository/storetest. A Store trusts its input: the Service
// validates. Errors not documented here are internal (wrapped driver errors).
//
// Every change to the examples of a (version, language) — insert, update,
// delete, intent and entity rename or delete — bumps that pair's dataset
// revision once, in the same transaction. Test sentences do not: they never
// train a model.
//
// Translations (Example.TranslatedFrom) are examples like the others, with
// the integrity rules of repository.CheckTranslation, which the Store
// enforces whenever it writes one: the original exists and is not itself a
// translation, the translation is in the same version, in another
// language, with the same intent and the same entity labels; an example
// has at most one translation per language. Changes to an original reach
// its translations in the same transaction, bumping their languages too:
// deleting it deletes them, changing its intent changes theirs. Changing
// its entities does not touch them (they may then mismatch).
type Store interface {
	// CreateRepository inserts r and its default version v in one
	// transaction and sets v.ID. r.UUID, v.RepositoryUUID and the times are
	// the caller's. Returns ECONFLICT if the UUID exists.
	CreateRepository(ctx context.Context, r *Repository, v *Version) error
	// FindRepository returns ENOTFOUND if no repository has uuid.
	FindRepository(ctx context.Context, uuid string) (Repository, error)
	// ListRepositories returns the matching repositories, newest first, and
	// how many match without Offset and Limit.
	ListRepositories(ctx context.Context, f RepositoryFilter) ([]Repository, int, error)
	// UpdateRepository overwrites the mutable fields of the repository
	// r.UUID (everything but UUID and CreatedAt). Returns ENOTFOUND.
	UpdateRepository(ctx context.Context, r *Repository) error
	// DeleteRepository deletes the repository with its versions, examples,
	// test sentences, revisions, tokens, jobs, models, evaluations and logs.
	// Returns ENOTFOUND.
	DeleteRepository(ctx context.Context, uuid string) error

	// FindVersion returns ENOTFOUND if no version has id.
	FindVersion(ctx context.Context, id int64) (Version, error)
	// DefaultVersion returns the default version of a repository, ENOTFOUND
	// if the repository does not exist.
	DefaultVersion(ctx context.Context, repoUUID string) (Version, error)
	// ListVersions returns the versions of a repository by ID (empty if the
	// repository does not exist).
	ListVersions(ctx context.Context, repoUUID string) ([]Version, error)
	// CreateVersion inserts v (RepositoryUUID, Name, IsDefault and
	// CreatedAt are the caller's) and sets v.ID. When from is not 0 it
	// copies into v, in the same transaction, the examples and test
	// sentences of version from with their entity spans (new IDs, the same
	// texts, languages, intents and spans, CreatedAt and UpdatedAt
	// v.CreatedAt) and bumps v's dataset revision of every language it
	// copied examples of, so that the copy needs training; models, jobs,
	// evaluations and logs are not copied. When v.IsDefault, the
	// repository's previous default version stops being default in the same
	// transaction. Returns ENOTFOUND if the repository does not exist or
	// from is not one of its versions, ECONFLICT if the repository has a
	// version named v.Name, EINVALID if it already has MaxVersions (checked
	// in the transaction, so concurrent creations cannot pass it together).
	CreateVersion(ctx context.Context, v *Version, from int64) error
	// UpdateVersion overwrites the Name of version v.ID and, when
	// v.IsDefault, makes it its repository's default version (the previous
	// default stops being default in the same transaction); IsDefault false
	// leaves the default as it is, since a repository always has exactly
	// one. It sets v's other fields from the stored row. Returns ENOTFOUND,
	// or ECONFLICT if another version of the repository has the name.
	UpdateVersion(ctx context.Context, v *Version) error
	// DeleteVersion deletes a version with its examples, test sentences,
	// revisions, jobs, models, evaluations and logs. Returns ENOTFOUND, or
	// EINVALID if it is its repository's default version.
	DeleteVersion(ctx context.Context, id int64) error

	// CreateExamples inserts all examples or none, sets their IDs and bumps
	// the revision of every (version, language) touched. An example with
	// TranslatedFrom > 0 is a translation of that example; TranslatedFrom
	// -J-1 makes it a translation of examples[J], which must come before it,
	// and is set to that example's ID. Errors name an item by its index I
	// in examples (from 0) with a message "example I: …". Returns ECONFLICT
	// if a text already exists in its version and language, or repeats an
	// earlier item (naming the text), or if the original already has a
	// translation into the language. Returns ENOTFOUND if a version or an
	// original does not exist, EINVALID if a translation breaks the rules
	// above.
	CreateExamples(ctx context.Context, examples []*Example) error
	// FindExample returns ENOTFOUND if no example has id.
	FindExample(ctx context.Context, id int64) (Example, error)
	// ListExamples returns the matching examples by ID and how many match
	// without Offset and Limit.
	ListExamples(ctx context.Context, f ExampleFilter) ([]Example, int, error)
	// UpdateExample overwrites Text, Language, Intent, Entities and
	// UpdatedAt of the example e.ID, sets e.VersionID and e.TranslatedFrom
	// to the stored ones (which never change) and bumps the revision of its
	// old and new language. When e is an original whose intent changes, its
	// translations get the intent and UpdatedAt, and their languages are
	// bumped. Returns ENOTFOUND; ECONFLICT if another example of the version
	// and language has the text, or e is a translation and its original
	// already has another translation into the new language; EINVALID if e
	// is a translation and breaks the rules above, or an original moving
	// into the language of one of its translations.
	UpdateExample(ctx context.Context, e *Example) error
	// DeleteExample deletes an example with its translations and bumps the
	// revision of every language touched. Returns ENOTFOUND.
	DeleteExample(ctx context.Context, id int64) error

	// ListIntents summarises the intents of a version by name; lang ""
	// means every language.
	ListIntents(ctx context.Context, versionID int64, lang string) ([]IntentSummary, error)
	// RenameIntent moves every example of intent from to intent to (merging
	// when to exists), translations included, sets their UpdatedAt and
	// returns how many moved. The
	// version's test sentences of from move too (not counted). Returns
	// ENOTFOUND if the version has no example of from.
	RenameIntent(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error)
	// DeleteIntent deletes every example of an intent, translations
	// included (they have their original's intent), and returns how many;
	// test sentences expecting it are kept (relabel or delete them). Returns
	// ENOTFOUND if the version has none.
	DeleteIntent(ctx context.Context, versionID int64, name string) (int64, error)

	// ListEntities summarises the entities of a version by entity and group;
	// lang "" means every language. The four span changes below apply to the
	// version's test sentences too (not counted in their results).
	ListEntities(ctx context.Context, versionID int64, lang string) ([]EntitySummary, error)
	// RenameEntity renames every span of entity from and returns how many
	// examples changed. Returns ENOTFOUND if no span has from.
	RenameEntity(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error)
	// SetEntityGroup sets the group of every span of entity ("" removes the
	// group) and returns how many examples changed. Returns ENOTFOUND if no
	// span has entity.
	SetEntityGroup(ctx context.Context, versionID int64, entity, group string, at time.Time) (int64, error)
	// RenameGroup renames group from (non-empty) to to on every span and
	// returns how many examples changed. Returns ENOTFOUND if no span has
	// group from.
	RenameGroup(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error)
	// DeleteEntity removes every span of entity (the examples stay) and
	// returns how many examples changed. Returns ENOTFOUND if no span has it.
	DeleteEntity(ctx context.Context, versionID int64, entity string, at time.Time) (int64, error)

	// Revision returns the dataset revision of a version and language, 0
	// when its examples never changed. Returns ENOTFOUND if the version does
	// not exist.
	Revision(ctx context.Context, versionID int64, lang string) (int64, error)
	// TrainingSet returns the examples of a version and language by ID and
	// the revision they are at, read in one snapshot. Returns ENOTFOUND if
	// the version does not exist.
	TrainingSet(ctx context.Context, versionID int64, lang string) ([]nlu.Example, int64, error)

	// CreateTestSentences inserts all test sentences or none and sets
	// their IDs. Returns ECONFLICT if a text already exists among the test
	// sentences of its version and language, or repeats an earlier item, with
	// a message "test sentence I: …" naming its index I in sentences (from 0)
	// and its text. Returns ENOTFOUND if a version does not exist.
	CreateTestSentences(ctx context.Context, sentences []*TestSentence) error
	// FindTestSentence returns ENOTFOUND if no test sentence has id.
	FindTestSentence(ctx context.Context, id int64) (TestSentence, error)
	// ListTestSentences returns the matching test sentences by ID and how
	// many match without Offset and Limit.
	ListTestSentences(ctx context.Context, f TestSentenceFilter) ([]TestSentence, int, error)
	// UpdateTestSentence overwrites Text, Language, Intent, Entities and
	// UpdatedAt of the test sentence t.ID. Returns ENOTFOUND, or ECONFLICT
	// if another test sentence of the version and language has the text.
	UpdateTestSentence(ctx context.Context, t *TestSentence) error
	// DeleteTestSentence returns ENOTFOUND if no test sentence has id.
	DeleteTestSentence(ctx context.Context, id int64) error
	// TestSet returns the test sentences of a version and language by ID.
	// Returns ENOTFOUND if the version does not exist.
	TestSet(ctx context.Context, versionID int64, lang string) ([]nlu.Example, error)

	// SaveEvaluation inserts e with its report and results, all or none, in
	// one transaction, setting e.ID (the results' EvaluationID is ignored).
	// Returns ENOTFOUND if the version does not exist or e.ModelID, when not
	// 0, is not a model of the repository; EINVALID if two results share an
	// Index.
	SaveEvaluation(ctx context.Context, e *Evaluation, report []byte, results []EvaluationResult) error
	// FindEvaluation returns an evaluation and its report, ENOTFOUND if no
	// evaluation has id.
	FindEvaluation(ctx context.Context, id int64) (Evaluation, []byte, error)
	// ListEvaluations returns the matching evaluations, newest first, and
	// how many match without Offset and Limit.
	ListEvaluations(ctx context.Context, f EvaluationFilter) ([]Evaluation, int, error)
	// ListEvaluationResults returns the matching results by Index and how
	// many match without Offset and Limit (none if the evaluation does not
	// exist).
	ListEvaluationResults(ctx context.Context, f EvaluationResultFilter) ([]EvaluationResult, int, error)
	// DeleteEvaluation deletes an evaluation with its results. Returns
	// ENOTFOUND.
	DeleteEvaluation(ctx context.Context, id int64) error

	// InsertLogs inserts a batch of logs in one transaction and sets their
	// IDs. A log whose version is not a version of its repository (the
	// repository was deleted while the log waited for its batch) is skipped
	// and keeps ID 0; the others are stored.
	InsertLogs(ctx context.Context, logs []*Log) error
	// FindLog returns ENOTFOUND if no log has id.
	FindLog(ctx context.Context, id int64) (Log, error)
	// ListLogs returns the matching logs, newest first, and how many match
	// without Offset and Limit.
	ListLogs(ctx context.Context, f LogFilter) ([]Log, int, error)
	// DeleteLogsBefore deletes the logs of a repository ("" means every
	// repository) created before before and returns how many. It may
	// delete in several transactions so that log writers are not held up;
	// on error, some logs may already be gone.
	DeleteLogsBefore(ctx context.Context, repoUUID string, before time.Time) (int64, error)

	// CreateToken inserts t with the SHA-256 hash of its secret. Returns
	// ECONFLICT if the ID or the hash exists.
	CreateToken(ctx context.Context, t *Token, hash []byte) error
	// FindToken returns ENOTFOUND if no token has id.
	FindToken(ctx context.Context, id string) (Token, error)
	// FindTokenByHash returns the token (revoked or not) whose secret hashes
	// to hash, ENOTFOUND if none.
	FindTokenByHash(ctx context.Context, hash []byte) (Token, error)
	// ListTokens returns the tokens of a repository, oldest first.
	ListTokens(ctx context.Context, repoUUID string) ([]Token, error)
	// RevokeToken sets RevokedAt unless it is already set. Returns ENOTFOUND.
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// TouchToken sets LastUsedAt. Returns ENOTFOUND.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// CreateJob inserts j (ID set by the caller). Returns ECONFLICT if the
	// ID exists or a job of the same kind, version and language is already
	// queued; ENOTFOUND if the version does not exist.
	CreateJob(ctx context.Context, j *Job) error
	// FindJob returns ENOTFOUND if no job has id.
	FindJob(ctx context.Context, id string) (Job, error)
	// UpdateJob loads a job, lets update change it and saves the result, in
	// one transaction; an error from update aborts and is returned as is.
	// Only Status, Progress, Error, StartedAt, FinishedAt and ModelID are
	// saved. Returns ENOTFOUND.
	UpdateJob(ctx context.Context, id string, update func(*Job) error) (Job, error)
	// ListJobs returns the matching jobs, newest first.
	ListJobs(ctx context.Context, f JobFilter) ([]Job, error)

	// SaveModel inserts m, setting m.ID and m.Size. Returns ENOTFOUND if
	// the version does not exist.
	SaveModel(ctx context.Context, m *Model) error
	// FindModel returns ENOTFOUND if no model has id.
	FindModel(ctx context.Context, id int64) (Model, error)
	// LatestModel returns the model of a version and language trained on
	// the highest revision (the last saved among equals), with its Data.
	// Returns ENOTFOUND when there is none.
	LatestModel(ctx context.Context, repoUUID string, versionID int64, lang string) (Model, error)
	// LatestModelInfo is LatestModel without Data (Size is set).
	LatestModelInfo(ctx context.Context, repoUUID string, versionID int64, lang string) (Model, error)
}
