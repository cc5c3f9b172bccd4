package repository

import "time"

// Job kinds.
const (
	JobTrain         = "train"
	JobEvaluate      = "evaluate"
	JobCrossValidate = "cross_validate"
)

// Job statuses. A job goes queued → running → succeeded or failed; running
// may go back to queued (a worker gave it up) and a queued job may fail
// (cancelled). Succeeded and failed are final.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
)

// Job is a unit of background work on one version and language of a
// repository, such as training a model. Queued and running jobs are the ones
// a restarted server resumes.
type Job struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	RepositoryUUID string `json:"repository_uuid"`
	VersionID      int64  `json:"version_id"`
	Language       string `json:"language"`
	Status         string `json:"status"`
	// Progress is the done fraction, in [0, 1].
	Progress float64 `json:"progress"`
	// Error says why a failed job failed.
	Error      string     `json:"error"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	// ModelID is the model a succeeded train job saved, 0 if none.
	ModelID int64 `json:"model_id"`
}

// Active reports whether the job is queued or running.
func (j Job) Active() bool { return j.Status == JobQueued || j.Status == JobRunning }

// JobInput is what CreateJob needs. Kind "" means JobTrain, VersionID 0 the
// default version and Language "" the repository's main language.
type JobInput struct {
	Kind      string `json:"kind"`
	VersionID int64  `json:"version_id"`
	Language  string `json:"language"`
}

// JobUpdate changes the non-nil fields of a job. The Service stamps
// StartedAt when a job starts running and FinishedAt when it ends.
type JobUpdate struct {
	Status   *string  `json:"status"`
	Progress *float64 `json:"progress"`
	Error    *string  `json:"error"`
	ModelID  *int64   `json:"model_id"`
}

// JobFilter selects jobs, newest first; zero fields do not filter. Limit 0
// means no limit.
type JobFilter struct {
	RepositoryUUID string   `json:"repository_uuid"`
	VersionID      int64    `json:"version_id"`
	Language       string   `json:"language"`
	Kind           string   `json:"kind"`
	Statuses       []string `json:"statuses"`
	Offset         int      `json:"offset"`
	Limit          int      `json:"limit"`
}
