package api

import (
	"net/http"

	"github.com/weni-ai/sabia/repository"
)

// Empty is the body of answers without content.
type Empty struct{}

func (s *Server) repositoryRoutes() {
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories", Summary: "Create a repository (an inteligência) with its default version",
		Tag: "repositories", Auth: authAdmin, Request: repository.RepositoryInput{}, Response: repository.Repository{}, Status: http.StatusCreated},
		jsonHandler(http.StatusCreated, func(r *http.Request, in *repository.RepositoryInput) (repository.Repository, error) {
			return s.repos.CreateRepository(r.Context(), *in)
		}))
	s.handle(route{Method: http.MethodGet, Pattern: "/v1/repositories", Summary: "List repositories (query: q, offset, limit)",
		Tag: "repositories", Auth: authAdmin, Response: Page[repository.Repository]{}},
		getHandler(http.StatusOK, func(r *http.Request) (Page[repository.Repository], error) {
			off, lim, err := paging(r)
			if err != nil {
				return Page[repository.Repository]{}, err
			}
			items, total, err := s.repos.ListRepositories(r.Context(), repository.RepositoryFilter{Query: r.URL.Query().Get("q"), Offset: off, Limit: lim})
			return Page[repository.Repository]{Items: nonNil(items), Total: total, Offset: off, Limit: lim}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: "/v1/repositories/{uuid}", Summary: "Get a repository",
		Tag: "repositories", Auth: authAny, Response: repository.Repository{}},
		getHandler(http.StatusOK, func(r *http.Request) (repository.Repository, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return repository.Repository{}, err
			}
			return s.repos.FindRepository(r.Context(), uuid)
		}))
	s.handle(route{Method: http.MethodPatch, Pattern: "/v1/repositories/{uuid}", Summary: "Change a repository's name, description, languages, out-of-scope threshold or built-in intents",
		Tag: "repositories", Auth: authAny, Request: repository.RepositoryUpdate{}, Response: repository.Repository{}},
		jsonHandler(http.StatusOK, func(r *http.Request, u *repository.RepositoryUpdate) (repository.Repository, error) {
			uuid, err := scoped(r, repository.RoleAdmin)
			if err != nil {
				return repository.Repository{}, err
			}
			repo, err := s.repos.UpdateRepository(r.Context(), uuid, *u)
			s.engine.Forget(uuid)
			return repo, err
		}))
	s.handle(route{Method: http.MethodDelete, Pattern: "/v1/repositories/{uuid}", Summary: "Delete a repository with everything in it",
		Tag: "repositories", Auth: authAny, Status: http.StatusNoContent},
		getHandler(http.StatusNoContent, func(r *http.Request) (Empty, error) {
			uuid, err := scoped(r, repository.RoleAdmin)
			if err != nil {
				return Empty{}, err
			}
			err = s.repos.DeleteRepository(r.Context(), uuid)
			s.engine.Drop(uuid)
			if s.cfg.Content != nil {
				s.cfg.Content.Forget(uuid)
			}
			s.auth.forget(uuid, "")
			return Empty{}, err
		}))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
