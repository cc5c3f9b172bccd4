package api

import (
	"net/http"

	"github.com/weni-ai/sabia/repository"
)

// versionRoutes serves a repository's versions. Reading needs the user
// role, creating and renaming the contributor role, and what changes which
// model answers flows (switching the default, deleting) the admin role.
func (s *Server) versionRoutes() {
	const base = "/v1/repositories/{uuid}/versions"
	s.handle(route{Method: http.MethodGet, Pattern: base, Summary: "List a repository's versions",
		Tag: "repositories", Auth: authAny, Response: []repository.Version{}},
		getHandler(http.StatusOK, func(r *http.Request) ([]repository.Version, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return nil, err
			}
			v, err := s.repos.ListVersions(r.Context(), uuid)
			return nonNil(v), err
		}))
	s.handle(route{Method: http.MethodPost, Pattern: base, Summary: "Create a version, empty or a copy of another version's examples and test sentences (to train before use); is_default needs the admin role",
		Tag: "repositories", Auth: authAny, Request: repository.VersionInput{}, Response: repository.Version{}, Status: http.StatusCreated},
		jsonHandler(http.StatusCreated, func(r *http.Request, in *repository.VersionInput) (repository.Version, error) {
			uuid, err := scoped(r, repository.RoleContributor)
			if err != nil {
				return repository.Version{}, err
			}
			if in.IsDefault {
				if err := allow(r, uuid, repository.RoleAdmin); err != nil {
					return repository.Version{}, err
				}
			}
			v, err := s.repos.CreateVersion(r.Context(), uuid, *in)
			if err == nil && v.IsDefault {
				s.engine.Forget(uuid) // its settings hold the default version
			}
			return v, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/{id}", Summary: "Get a version",
		Tag: "repositories", Auth: authAny, Response: repository.Version{}},
		getHandler(http.StatusOK, func(r *http.Request) (repository.Version, error) {
			uuid, id, err := scopedID(r, repository.RoleUser)
			if err != nil {
				return repository.Version{}, err
			}
			return s.repos.FindVersion(r.Context(), uuid, id)
		}))
	s.handle(route{Method: http.MethodPatch, Pattern: base + "/{id}", Summary: "Rename a version or make it the default (is_default needs the admin role; parses without a version use the new default at once)",
		Tag: "repositories", Auth: authAny, Request: repository.VersionUpdate{}, Response: repository.Version{}},
		jsonHandler(http.StatusOK, func(r *http.Request, u *repository.VersionUpdate) (repository.Version, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return repository.Version{}, err
			}
			if u.IsDefault != nil {
				if err := allow(r, uuid, repository.RoleAdmin); err != nil {
					return repository.Version{}, err
				}
			}
			v, err := s.repos.UpdateVersion(r.Context(), uuid, id, *u)
			if err == nil && u.IsDefault != nil {
				s.engine.Forget(uuid)
			}
			return v, err
		}))
	s.handle(route{Method: http.MethodDelete, Pattern: base + "/{id}", Summary: "Delete a version that is not the default, with its examples, test sentences, models, evaluations and logs",
		Tag: "repositories", Auth: authAny, Status: http.StatusNoContent},
		getHandler(http.StatusNoContent, func(r *http.Request) (Empty, error) {
			uuid, id, err := scopedID(r, repository.RoleAdmin)
			if err != nil {
				return Empty{}, err
			}
			err = s.repos.DeleteVersion(r.Context(), uuid, id)
			if err == nil {
				s.engine.Drop(uuid) // frees the deleted version's models
			}
			return Empty{}, err
		}))
}
