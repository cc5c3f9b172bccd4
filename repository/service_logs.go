package repository

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// InsertLogs stores a batch of classification logs in one transaction and
// sets their IDs; the server calls it from a background writer, so it checks
// only what the server might get wrong. Each log needs a repository, a
// version ID and a known language (stored canonical), a confidence in
// [0, 1], a known route (RouteParse, RouteV2Parse, RouteNative) and a
// duration that is not negative; CreatedAt zero means now. A log of a
// repository deleted meanwhile is skipped and keeps ID 0.
//
// Returns EINVALID naming the first bad log by its index from 0 ("log 3:
// confidence 1.2 is not between 0 and 1"), storing none.
func (s *Service) InsertLogs(ctx context.Context, logs []*Log) error {
	if len(logs) == 0 {
		return nil
	}
	now := s.clock()
	for i, l := range logs {
		if verr := checkLog(l); verr != nil {
			return sabia.Errorf(verr.Code, "log %d: %s", i, verr.Message)
		}
		if l.CreatedAt.IsZero() {
			l.CreatedAt = now
		}
		l.CreatedAt = l.CreatedAt.UTC().Truncate(time.Microsecond)
	}
	if err := s.store.InsertLogs(ctx, logs); err != nil {
		return fmt.Errorf("inserting %d logs: %w", len(logs), err)
	}
	return nil
}

// checkLog validates a log for InsertLogs and canonicalises its language.
func checkLog(l *Log) *sabia.Error {
	if l.RepositoryUUID == "" {
		return sabia.Errorf(sabia.EINVALID, "repository is required")
	}
	if l.VersionID <= 0 {
		return sabia.Errorf(sabia.EINVALID, "version is required")
	}
	lang, verr := parseLanguage(l.Language)
	if verr != nil {
		return verr
	}
	l.Language = lang
	if verr := checkConfidence("confidence", l.Confidence); verr != nil {
		return verr
	}
	switch l.Route {
	case RouteParse, RouteV2Parse, RouteNative:
	default:
		return sabia.Errorf(sabia.EINVALID, "unknown route %q (parse, v2_parse or native)", l.Route)
	}
	if l.DurationUS < 0 {
		return sabia.Errorf(sabia.EINVALID, "duration %d µs is negative", l.DurationUS)
	}
	return nil
}

func checkConfidence(what string, c float64) *sabia.Error {
	if !(c >= 0 && c <= 1) { // also rejects NaN
		return sabia.Errorf(sabia.EINVALID, "%s %v is not between 0 and 1", what, c)
	}
	return nil
}

// FindLog returns a log of the repository. Returns ENOTFOUND.
func (s *Service) FindLog(ctx context.Context, repoUUID string, id int64) (Log, error) {
	l, err := s.store.FindLog(ctx, id)
	if err != nil {
		return Log{}, err
	}
	if l.RepositoryUUID != repoUUID {
		return Log{}, sabia.Errorf(sabia.ENOTFOUND, "log %d not found", id)
	}
	return l, nil
}

// listScope checks the scope of a listing: the repository exists, and so
// does the version when versionID is not 0. It returns lang parsed with
// nlu.ParseLanguage ("" stays ""). Returns ENOTFOUND or EINVALID.
func (s *Service) listScope(ctx context.Context, repoUUID string, versionID int64, lang string) (string, error) {
	if _, err := s.store.FindRepository(ctx, repoUUID); err != nil {
		return "", err
	}
	if versionID != 0 {
		if _, err := s.FindVersion(ctx, repoUUID, versionID); err != nil {
			return "", err
		}
	}
	if lang == "" {
		return "", nil
	}
	l, verr := parseLanguage(lang)
	if verr != nil {
		return "", verr
	}
	return l, nil
}

// ListLogs returns a page of a repository's logs, newest first, and the
// total that match (see LogFilter). VersionID 0 means every version;
// Language, when set, is parsed with nlu.ParseLanguage. Confidence bounds are
// in [0, 1] and MinConfidence is at most MaxConfidence; From is not after
// To. Limit 0 means DefaultPageSize; larger than MaxPageSize means
// MaxPageSize. Returns ENOTFOUND (repository or version) or EINVALID.
func (s *Service) ListLogs(ctx context.Context, repoUUID string, f LogFilter) ([]Log, int, error) {
	var err error
	if f.Language, err = s.listScope(ctx, repoUUID, f.VersionID, f.Language); err != nil {
		return nil, 0, err
	}
	if f.MinConfidence != nil {
		if verr := checkConfidence("min_confidence", *f.MinConfidence); verr != nil {
			return nil, 0, verr
		}
	}
	if f.MaxConfidence != nil {
		if verr := checkConfidence("max_confidence", *f.MaxConfidence); verr != nil {
			return nil, 0, verr
		}
	}
	if f.MinConfidence != nil && f.MaxConfidence != nil && *f.MinConfidence > *f.MaxConfidence {
		return nil, 0, sabia.Errorf(sabia.EINVALID, "min_confidence %v is above max_confidence %v", *f.MinConfidence, *f.MaxConfidence)
	}
	if f.From != nil && f.To != nil && f.From.After(*f.To) {
		return nil, 0, sabia.Errorf(sabia.EINVALID, "from %s is after to %s",
			f.From.UTC().Format(time.RFC3339Nano), f.To.UTC().Format(time.RFC3339Nano))
	}
	f.RepositoryUUID = repoUUID
	f.Intent = strings.TrimSpace(f.Intent)
	f.Offset, f.Limit = page(f.Offset, f.Limit)
	return s.store.ListLogs(ctx, f)
}

// DeleteLogsOlderThanRetention deletes, in every repository whose
// LogRetentionDays is not 0, the logs created more than LogRetentionDays
// days before now, and returns how many it deleted. On error the count so
// far comes back with it.
func (s *Service) DeleteLogsOlderThanRetention(ctx context.Context, now time.Time) (int64, error) {
	repos, _, err := s.store.ListRepositories(ctx, RepositoryFilter{})
	if err != nil {
		return 0, fmt.Errorf("listing repositories: %w", err)
	}
	var total int64
	for _, r := range repos {
		if r.LogRetentionDays <= 0 {
			continue
		}
		before := now.UTC().Add(-time.Duration(r.LogRetentionDays) * 24 * time.Hour)
		n, err := s.store.DeleteLogsBefore(ctx, r.UUID, before)
		total += n
		if err != nil {
			return total, fmt.Errorf("deleting logs of repository %s: %w", r.UUID, err)
		}
	}
	return total, nil
}

// LogToExample adds the text of a log of the repository as an example of
// the log's version and language. intent "" means the logged intent; nil
// entities means none (offsets into the logged text otherwise). The example
// is validated as in AddExamples (messages without a prefix). Returns
// ENOTFOUND (log, or its version), EINVALID (among them, a log out of scope
// with no intent given, or a language the repository no longer has),
// ETOOLARGE, or ECONFLICT when the text already is an example of the version
// and language.
func (s *Service) LogToExample(ctx context.Context, repoUUID string, logID int64, intent string, entities *[]nlu.Span) (Example, error) {
	e, err := s.sentenceFromLog(ctx, repoUUID, logID, intent, entities)
	if err != nil {
		return Example{}, err
	}
	if err := s.store.CreateExamples(ctx, []*Example{&e}); err != nil {
		return Example{}, fmt.Errorf("adding example from log %d: %w", logID, unprefixed(whatExample, err))
	}
	return e, nil
}

// LogToTestSentence is LogToExample for test sentences: ECONFLICT when the
// text already is a test sentence of the version and language.
func (s *Service) LogToTestSentence(ctx context.Context, repoUUID string, logID int64, intent string, entities *[]nlu.Span) (TestSentence, error) {
	e, err := s.sentenceFromLog(ctx, repoUUID, logID, intent, entities)
	if err != nil {
		return TestSentence{}, err
	}
	t := TestSentence(e)
	if err := s.store.CreateTestSentences(ctx, []*TestSentence{&t}); err != nil {
		return TestSentence{}, fmt.Errorf("adding test sentence from log %d: %w", logID, unprefixed(whatTestSentence, err))
	}
	return t, nil
}

// sentenceFromLog builds the cleaned example LogToExample and
// LogToTestSentence add.
func (s *Service) sentenceFromLog(ctx context.Context, repoUUID string, logID int64, intent string, entities *[]nlu.Span) (Example, error) {
	l, err := s.FindLog(ctx, repoUUID, logID)
	if err != nil {
		return Example{}, err
	}
	if strings.TrimSpace(intent) == "" {
		if l.Intent == "" {
			return Example{}, sabia.Errorf(sabia.EINVALID, "log %d has no intent (out of scope); intent is required", logID)
		}
		intent = l.Intent
	}
	var spans []nlu.Span
	if entities != nil {
		spans = *entities
	}
	r, err := s.store.FindRepository(ctx, repoUUID)
	if err != nil {
		return Example{}, err
	}
	v, err := s.FindVersion(ctx, repoUUID, l.VersionID)
	if err != nil {
		return Example{}, err
	}
	e, verr := cleanExample(r, l.Text, l.Language, intent, spans)
	if verr != nil {
		return Example{}, verr
	}
	now := s.clock()
	e.RepositoryUUID, e.VersionID, e.CreatedAt, e.UpdatedAt = repoUUID, v.ID, now, now
	return e, nil
}
