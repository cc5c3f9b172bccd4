package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/training"
)

// TrainRequest starts training. Language "" trains every language whose
// examples changed since its last model; Force retrains unchanged data.
type TrainRequest struct {
	Language  string `json:"language,omitempty"`
	VersionID int64  `json:"version_id,omitempty"`
	Force     bool   `json:"force,omitempty"`
}

// TrainResponse lists the training jobs (new or already running).
type TrainResponse struct {
	Jobs []repository.Job `json:"jobs"`
	// Skipped lists the languages that got no job, with the reason (for
	// example a language whose examples cover a single intent).
	Skipped []training.Skipped `json:"skipped"`
}

func (s *Server) trainRoutes() {
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories/{uuid}/train",
		Summary: "Start training: one job per language that needs it; answers 202 at once",
		Tag:     "training", Auth: authAny, Request: TrainRequest{}, Response: TrainResponse{}, Status: http.StatusAccepted},
		func(w http.ResponseWriter, r *http.Request) {
			uuid := chi.URLParam(r, "uuid")
			if err := allow(r, uuid, repository.RoleContributor); err != nil {
				writeError(w, r, err)
				return
			}
			body, err := readBody(r)
			if err != nil {
				writeError(w, r, err)
				return
			}
			var in TrainRequest
			if len(body) > 0 {
				if err := decodeJSON(body, &in); err != nil {
					writeError(w, r, err)
					return
				}
			}
			jobs, skipped, err := s.engine.Train(r.Context(), uuid, in.VersionID, in.Language, in.Force)
			if err != nil {
				writeError(w, r, err)
				return
			}
			writeJSON(w, http.StatusAccepted, TrainResponse{Jobs: nonNil(jobs), Skipped: nonNil(skipped)})
		})
	s.handle(route{Method: http.MethodGet, Pattern: "/v1/repositories/{uuid}/jobs", Summary: "List a repository's jobs, newest first",
		Tag: "training", Auth: authAny, Response: []repository.Job{}},
		getHandler(http.StatusOK, func(r *http.Request) ([]repository.Job, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return nil, err
			}
			if _, err := s.repos.FindRepository(r.Context(), uuid); err != nil {
				return nil, err
			}
			off, lim, err := paging(r)
			if err != nil {
				return nil, err
			}
			jobs, err := s.repos.ListJobs(r.Context(), repository.JobFilter{RepositoryUUID: uuid, Offset: off, Limit: lim})
			return nonNil(jobs), err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: "/v1/jobs/{id}", Summary: "Get a job: status queued|running|succeeded|failed, progress 0..1, timings, error",
		Tag: "training", Auth: authAny, Response: repository.Job{}},
		getHandler(http.StatusOK, func(r *http.Request) (repository.Job, error) {
			j, err := s.repos.FindJob(r.Context(), chi.URLParam(r, "id"))
			if err != nil {
				return repository.Job{}, err
			}
			if err := allow(r, j.RepositoryUUID, repository.RoleUser); err != nil {
				return repository.Job{}, errNotFound("job " + chi.URLParam(r, "id") + " not found")
			}
			return j, nil
		}))
}
