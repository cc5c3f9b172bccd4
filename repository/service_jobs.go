package repository

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/weni-ai/sabia"
)

var jobKinds = []string{JobTrain, JobEvaluate, JobCrossValidate}

// CreateJob queues a job on a version and language of a repository (see
// JobInput for defaults). Returns ENOTFOUND, EINVALID (unknown kind or
// language), or ECONFLICT when the same kind of job is already queued for
// that version and language.
func (s *Service) CreateJob(ctx context.Context, repoUUID string, in JobInput) (Job, error) {
	kind := in.Kind
	if kind == "" {
		kind = JobTrain
	}
	if !slices.Contains(jobKinds, kind) {
		return Job{}, sabia.Errorf(sabia.EINVALID, "unknown job kind %q", kind)
	}
	_, v, l, err := s.scope(ctx, repoUUID, in.VersionID, in.Language)
	if err != nil {
		return Job{}, err
	}
	j := Job{
		ID: newUUID(), Kind: kind, RepositoryUUID: repoUUID, VersionID: v.ID, Language: l,
		Status: JobQueued, CreatedAt: s.clock(),
	}
	if err := s.store.CreateJob(ctx, &j); err != nil {
		return Job{}, fmt.Errorf("creating job: %w", err)
	}
	return j, nil
}

// FindJob returns a job by ID, whatever its repository: callers scoped to a
// repository compare RepositoryUUID. Returns ENOTFOUND.
func (s *Service) FindJob(ctx context.Context, id string) (Job, error) {
	return s.store.FindJob(ctx, id)
}

// ListJobs returns the matching jobs, newest first. Limit 0 means
// DefaultPageSize; larger than MaxPageSize means MaxPageSize.
func (s *Service) ListJobs(ctx context.Context, f JobFilter) ([]Job, error) {
	f.Offset, f.Limit = page(f.Offset, f.Limit)
	return s.store.ListJobs(ctx, f)
}

// ActiveJobs returns every queued or running job, oldest first: what a
// restarted server resumes.
func (s *Service) ActiveJobs(ctx context.Context) ([]Job, error) {
	jobs, err := s.store.ListJobs(ctx, JobFilter{Statuses: []string{JobQueued, JobRunning}})
	if err != nil {
		return nil, err
	}
	slices.Reverse(jobs)
	return jobs, nil
}

// UpdateJob changes the fields set in u. Allowed moves: queued → running or
// failed; running → running (progress), queued, succeeded or failed.
// Starting to run stamps StartedAt (once); succeeding or failing stamps
// FinishedAt, and succeeding sets Progress to 1. Progress must be in [0, 1].
// Returns ENOTFOUND, EINVALID (unknown status, bad progress) or ECONFLICT
// (a move not allowed, such as changing a finished job).
func (s *Service) UpdateJob(ctx context.Context, id string, u JobUpdate) (Job, error) {
	if u.Progress != nil && !(*u.Progress >= 0 && *u.Progress <= 1) {
		return Job{}, sabia.Errorf(sabia.EINVALID, "progress %v is not between 0 and 1", *u.Progress)
	}
	if u.Status != nil && !slices.Contains([]string{JobQueued, JobRunning, JobSucceeded, JobFailed}, *u.Status) {
		return Job{}, sabia.Errorf(sabia.EINVALID, "unknown job status %q", *u.Status)
	}
	now := s.clock()
	return s.store.UpdateJob(ctx, id, func(j *Job) error {
		if j.Status == JobSucceeded || j.Status == JobFailed {
			return sabia.Errorf(sabia.ECONFLICT, "job %s already %s", j.ID, j.Status)
		}
		if u.Status != nil {
			to := *u.Status
			if j.Status == JobQueued && (to == JobQueued || to == JobSucceeded) {
				return sabia.Errorf(sabia.ECONFLICT, "job %s is queued and cannot become %s", j.ID, to)
			}
			switch to {
			case JobRunning:
				if j.StartedAt == nil {
					j.StartedAt = &now
				}
			case JobSucceeded:
				j.Progress = 1
				j.FinishedAt = &now
			case JobFailed:
				j.FinishedAt = &now
			}
			j.Status = to
		}
		if u.Progress != nil {
			if j.Status != JobRunning {
				return sabia.Errorf(sabia.ECONFLICT, "job %s is %s; only a running job reports progress", j.ID, j.Status)
			}
			j.Progress = *u.Progress
		}
		if u.Error != nil {
			j.Error = *u.Error
		}
		if u.ModelID != nil {
			j.ModelID = *u.ModelID
		}
		return nil
	})
}

// SaveModel stores a trained model of a repository's version (0 = default)
// and language ("" = main language) and returns it with its ID and Size.
// TrainedAt zero means now. Returns ENOTFOUND, or EINVALID for empty Data or
// a negative Revision.
func (s *Service) SaveModel(ctx context.Context, m Model) (Model, error) {
	_, v, l, err := s.scope(ctx, m.RepositoryUUID, m.VersionID, m.Language)
	if err != nil {
		return Model{}, err
	}
	if len(m.Data) == 0 {
		return Model{}, sabia.Errorf(sabia.EINVALID, "model data is empty")
	}
	if m.Revision < 0 {
		return Model{}, sabia.Errorf(sabia.EINVALID, "revision %d is negative", m.Revision)
	}
	m.VersionID, m.Language = v.ID, l
	if m.TrainedAt.IsZero() {
		m.TrainedAt = s.clock()
	}
	m.TrainedAt = m.TrainedAt.UTC().Truncate(time.Microsecond)
	if err := s.store.SaveModel(ctx, &m); err != nil {
		return Model{}, fmt.Errorf("saving model: %w", err)
	}
	return m, nil
}

// FindModel returns a model of the repository, with its Data. Returns
// ENOTFOUND.
func (s *Service) FindModel(ctx context.Context, repoUUID string, id int64) (Model, error) {
	m, err := s.store.FindModel(ctx, id)
	if err != nil {
		return Model{}, err
	}
	if m.RepositoryUUID != repoUUID {
		return Model{}, sabia.Errorf(sabia.ENOTFOUND, "model %d not found", id)
	}
	return m, nil
}

// LatestModel returns the newest model (highest revision) of a version (0 =
// default) and language ("" = main language), with its Data. Returns
// ENOTFOUND when none was trained, or EINVALID.
func (s *Service) LatestModel(ctx context.Context, repoUUID string, versionID int64, lang string) (Model, error) {
	_, v, l, err := s.scope(ctx, repoUUID, versionID, lang)
	if err != nil {
		return Model{}, err
	}
	return s.store.LatestModel(ctx, repoUUID, v.ID, l)
}

// LatestModelInfo is LatestModel without Data: cheap enough to ask on every
// request whether a newer model exists.
func (s *Service) LatestModelInfo(ctx context.Context, repoUUID string, versionID int64, lang string) (Model, error) {
	_, v, l, err := s.scope(ctx, repoUUID, versionID, lang)
	if err != nil {
		return Model{}, err
	}
	return s.store.LatestModelInfo(ctx, repoUUID, v.ID, l)
}
